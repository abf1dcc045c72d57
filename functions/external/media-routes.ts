/**
 * The external mirror's media and video routes, loaded on the first request to one of them (handler.ts), so
 * the function's text routes do not evaluate the media and video families' modules at init.
 */
import { createMediaOperations } from '../../shared/media/operations.ts';
import { createVideoOperations } from '../../shared/videos/operations.ts';
import { billing } from '../inference/text-services.ts';
import { mediaServices } from '../media/media-services.ts';
import { videoServices } from '../videos/video-services.ts';

export const media = createMediaOperations(mediaServices, billing, 'external');
export const videos = createVideoOperations(videoServices, billing, 'external');
