/**
 * `modalities: ['video']`: a video job submitted through the video route's own path (`submitPaidVideo`: the
 * same validation, exact price charged in full at submission, job item, SQS, worker, Step Functions; refunds
 * as shared/videos/README.md says), answered as a Responses object `in_progress` whose one output item is a
 * `video_generation_call` carrying the job's video object. The record keeps the response's own fields and the
 * job id; its status is always the job's: `GET /v1/responses/{id}` reads the job, and
 * `POST /v1/responses/{id}/cancel` cancels it (cancel.ts, with its money policy).
 */
import type { Payer, Surface } from '../../billing/types.ts';
import { ComposeError, InvalidRequestError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { json, type HttpResult } from '../../http/response.ts';
import type { ResponsesStore, StoredResponse } from '../../stores/responses.ts';
import { cancelVideoJob } from '../../videos/cancel.ts';
import { isVideoJobId } from '../../videos/ids.ts';
import type { VideoStatus } from '../../videos/job.ts';
import { submitPaidVideo, submittedHeaders, viewVideoJob } from '../../videos/operations.ts';
import { parseVideoRequest, type ParsedVideoRequest } from '../../videos/request.ts';
import type { VideoServices } from '../../videos/services.ts';
import { toVideoObject, type VideoObject } from '../../videos/view.ts';
import { newResponseId } from '../ids.ts';
import type { MediaResponseRequest } from './request.ts';
import { mediaResponseBase, mediaResponseObject, newItemId, recordMediaResponse, type MediaResponseBase, type MediaResponseStatus } from './response.ts';

export const VIDEO_ITEM_TYPE = 'video_generation_call';

const STATUS_OF: Readonly<Record<VideoStatus, MediaResponseStatus>> = {
  queued: 'in_progress',
  in_progress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const responseStatusOf = (video: VideoObject): MediaResponseStatus => STATUS_OF[video.status];

/** The item a video job is: its status, the video object, and once completed the presigned download `url`. */
export const videoItem = (itemId: string, video: VideoObject): Record<string, unknown> => ({
  type: VIDEO_ITEM_TYPE,
  id: itemId,
  status: responseStatusOf(video),
  url: video.url,
  video,
});

/** The response a video job is, as of `video` (the job as the caller's surface shows it: natively with its receipt). */
export const videoResponseObject = (base: MediaResponseBase, itemId: string, video: VideoObject): Record<string, unknown> => {
  const status = responseStatusOf(video);
  return mediaResponseObject(base, {
    status,
    output: [videoItem(itemId, video)],
    error: status === 'failed' || status === 'cancelled' ? video.error : null,
    extras: { job_id: video.id, ...(video.receipt ? { receipt: video.receipt } : {}) },
  });
};

/** The Responses fields as the video route's body, so both routes validate by the same rules (duration_out_of_range…). */
const parseVideoFields = (request: MediaResponseRequest): ParsedVideoRequest => {
  const body = Object.fromEntries(
    Object.entries({
      model: request.model,
      provider: request.provider,
      prompt: request.texts.join('\n'),
      duration: request.duration,
      aspect_ratio: request.aspectRatio,
      resolution: request.resolution,
      size: request.size,
    }).filter(([, value]) => value !== undefined && value !== null),
  );
  try {
    return parseVideoRequest(body);
  } catch (error) {
    // The prompt is this route's `input`.
    if (error instanceof ComposeError && error.param === 'prompt') throw new InvalidRequestError(error.code, error.message.replaceAll("'prompt'", "'input'"), { param: 'input' });
    throw error;
  }
};

export interface VideoResponseServices {
  readonly videos: VideoServices;
  readonly responses: ResponsesStore;
}

export interface VideoResponseCall {
  readonly http: HttpRequest;
  readonly payer: Payer;
  readonly surface: Surface;
  readonly request: MediaResponseRequest;
  readonly body: Readonly<Record<string, unknown>>;
}

/**
 * Submits the job (held, charged, queued; at most once per idempotency key) and answers 200 with the response
 * in progress. The record is written once the charge is final; one that cannot be written is logged, and the
 * paid answer still goes out.
 */
export const submitVideoResponse = (services: VideoResponseServices, call: VideoResponseCall): Promise<HttpResult> => {
  const { request, surface } = call;
  const parsed = parseVideoFields(request);
  return submitPaidVideo(services.videos, { http: call.http, payer: call.payer, parsed, fingerprint: JSON.stringify(call.body) }, async (submitted) => {
    const base = mediaResponseBase(newResponseId(), submitted.job.model, request, call.body);
    const response = videoResponseObject(base, newItemId('vg'), toVideoObject(submitted.job, surface));
    await recordMediaResponse(services.responses, submitted.job.owner, request, response, 'in_progress');
    return json(200, response, { ...submittedHeaders(submitted, surface), 'x-compose-response-id': base.id });
  });
};

const jobIdOf = (response: Readonly<Record<string, unknown>>): string | undefined => {
  const item = (response.output as Record<string, unknown>[] | undefined)?.[0];
  return item?.type === VIDEO_ITEM_TYPE && typeof response.job_id === 'string' && isVideoJobId(response.job_id) ? response.job_id : undefined;
};

export const isVideoResponse = (stored: StoredResponse): boolean => jobIdOf(stored.response) !== undefined;

/** A stored (or just answered) video response's own fields, to rebuild it around the job's current state. */
export const videoResponseParts = (response: Readonly<Record<string, unknown>>): { base: MediaResponseBase; itemId: string; jobId: string } => ({
  base: {
    id: response.id as string,
    created_at: response.created_at as number,
    model: response.model as string,
    instructions: (response.instructions as string | null | undefined) ?? null,
    metadata: (response.metadata as Record<string, unknown> | undefined) ?? {},
    modalities: response.modalities ?? null,
    store: response.store !== false,
  },
  itemId: (response.output as Record<string, unknown>[])[0]!.id as string,
  jobId: jobIdOf(response)!,
});

/** `GET /v1/responses/{id}` of a video response: its status, item and error are the job's now. */
export const currentVideoResponse = async (videos: VideoServices, stored: StoredResponse, owner: string): Promise<Record<string, unknown>> => {
  const { base, itemId, jobId } = videoResponseParts(stored.response);
  return videoResponseObject(base, itemId, await viewVideoJob(videos, await videos.jobs.readOwned(jobId, owner), 'native'));
};

/** `POST /v1/responses/{id}/cancel` of a video response cancels its job, with the job's money policy (cancel.ts). */
export const cancelVideoResponse = async (videos: VideoServices, stored: StoredResponse, owner: string): Promise<Record<string, unknown>> => {
  await cancelVideoJob(videos, videoResponseParts(stored.response).jobId, owner);
  return currentVideoResponse(videos, stored, owner);
};
