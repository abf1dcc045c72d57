/**
 * The media and video composition root of the text functions, loaded on first use only (media-responses.ts):
 * the media and video services, Responses served as media, and video job cancellation. A function that only
 * answers text never evaluates it.
 */
import type { Surface } from '../../shared/billing/types.ts';
import { createMediaResponses, type MediaResponses } from '../../shared/inference/media-responses/index.ts';
import { cancelVideoJob } from '../../shared/videos/cancel.ts';
import { mediaServices } from '../media/media-services.ts';
import { videoServices } from '../videos/video-services.ts';
import { billing, textServices } from './text-services.ts';

const bySurface = new Map<Surface, MediaResponses>();

/** Responses that ask for media, served through the media path and stored with the text responses; one per surface. */
export const mediaResponsesFor = (surface: Surface): MediaResponses => {
  let media = bySurface.get(surface);
  if (!media) {
    media = createMediaResponses({ media: mediaServices, responses: textServices.responses, videos: videoServices }, billing, surface);
    bySurface.set(surface, media);
  }
  return media;
};

export const cancelVideo = (id: string, owner: string): Promise<Record<string, unknown>> => cancelVideoJob(videoServices, id, owner);
