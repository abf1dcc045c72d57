/**
 * Media Responses (`modalities` on `POST /v1/responses`) and video jobs, as the text functions see them: the
 * dispatch checks are here, the media and video composition root (media-root.ts) is imported on the first
 * request that needs it. So the inference and external functions do not evaluate the media and video
 * families' modules at init: the deployed bundles are split (infra/lib/function-bundle.ts), so that code is a
 * chunk loaded on first use. Measured by bench/sections/bundles.ts; test/unit/function-closures.test.ts holds it.
 */
import type { Surface } from '../../shared/billing/types.ts';
import type { MediaResponses } from '../../shared/inference/media-responses/index.ts';
import { isMediaResponseRequest } from '../../shared/inference/media-responses/request.ts';
import type { AsyncJobCanceller } from '../../shared/inference/operations.ts';
import type { StoredResponse } from '../../shared/stores/responses.ts';
import { isVideoJobId } from '../../shared/videos/ids.ts';

type Root = typeof import('./media-root.ts');

let root: Promise<Root> | undefined;
const loadRoot = (): Promise<Root> => (root ??= import('./media-root.ts'));

/**
 * Only a video response is more than its stored record, and every video response names its job (`job_id`, a
 * video job id). A record without one is answered as stored without loading the root; one with it is left to
 * the media path's own, exact check.
 */
const mayBeVideoResponse = (stored: StoredResponse): boolean => typeof stored.response.job_id === 'string' && isVideoJobId(stored.response.job_id);

export const lazyMediaResponses = (surface: Surface): MediaResponses => {
  const media = async (): Promise<MediaResponses> => (await loadRoot()).mediaResponsesFor(surface);
  return {
    handles: isMediaResponseRequest,
    create: async (http, context) => (await media()).create(http, context),
    current: async (stored, owner) => (mayBeVideoResponse(stored) ? (await media()).current(stored, owner) : stored.response),
    cancel: async (stored, owner) => (mayBeVideoResponse(stored) ? (await media()).cancel(stored, owner) : undefined),
  };
};

/** `POST /v1/responses/{id}/cancel` also cancels video jobs, which are async Responses-API jobs too. */
export const lazyVideoJobs: AsyncJobCanceller = {
  handles: isVideoJobId,
  cancel: async (id, owner) => (await loadRoot()).cancelVideo(id, owner),
};
