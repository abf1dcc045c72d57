import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createMediaResponses } from '../../shared/inference/media-responses/index.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { isVideoJobId } from '../../shared/videos/ids.ts';
import { cancelVideoJob } from '../../shared/videos/cancel.ts';
import { mediaServices } from '../media/media-services.ts';
import { videoServices } from '../videos/video-services.ts';
import { billing, textServices } from './text-services.ts';

/** `POST /v1/responses/{id}/cancel` also cancels video jobs, which are async Responses-API jobs too. */
const videoJobs = { handles: isVideoJobId, cancel: (id: string, owner: string) => cancelVideoJob(videoServices, id, owner) };

/**
 * Responses that ask for media (`modalities`) are served through the media path and stored with the text
 * responses; video ones are submitted to the video pipeline, so this function also enqueues video jobs.
 */
const mediaResponses = createMediaResponses({ media: mediaServices, responses: textServices.responses, videos: videoServices }, billing, 'native');

export const handler = createFamilyHandler('inference', createTextOperations(textServices, billing, 'native', videoJobs, mediaResponses));
