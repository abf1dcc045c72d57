import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { lazyMediaResponses, lazyVideoJobs } from './media-responses.ts';
import { billing, textServices } from './text-services.ts';

/**
 * Responses that ask for media (`modalities`) are served through the media path and stored with the text
 * responses; video ones are submitted to the video pipeline, so this function also enqueues video jobs. That
 * code is loaded on the first such request, not at init (media-responses.ts).
 */
export const handler = createFamilyHandler('inference', createTextOperations(textServices, billing, 'native', lazyVideoJobs, lazyMediaResponses('native')));
