/**
 * `stream: true` with `modalities: ['video']`: the submitted job as a Responses event stream. The stream is a
 * view of the job (the submission, charge included, is done before it opens, and an idempotent replay opens
 * a fresh view), in the text serializer's order and numbering:
 *
 *   response.created → response.in_progress → response.output_item.added
 *   → event: compose.video.status …            (natively, on request; the video status stream's events, with a `type`)
 *   → response.output_item.done → response.completed | response.failed | response.cancelled   (the job ended;
 *     natively its `response.receipt`)
 *   → data: [DONE] → event: compose.receipt     (natively, on request)
 *
 * `compose.*` events are sent only when the request sends `x-compose-events: true`: OpenAI SDKs' Responses
 * stream accumulators reject event types they do not know.
 *
 * The job is polled with the video status stream's default bounds, within the Lambda's remaining time less
 * `VIDEO_STREAM_MARGIN_MS`, with keep-alive comments between polls. A stream that must end before the job does
 * ends cleanly: its last `compose.video.status` says `resumable: true` with a `resume_url` on the video status
 * stream (`/v1/videos/{job}/stream`); streams without `compose.*` events (external, or not opted in) end with a
 * `response.in_progress` holding the job as it is (read it again with `GET /v1/responses/{id}`).
 */
import { streamedBody } from '../../../layers/core/sse/body.ts';
import type { Surface } from '../../billing/types.ts';
import { ComposeError } from '../../../layers/core/errors.ts';
import type { HttpResult } from '../../http/response.ts';
import type { ReceiptBody } from '../../receipts/index.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../../../layers/core/sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../../../layers/core/sse/heartbeat.ts';
import { watchVideoJob } from '../../videos/operations.ts';
import type { VideoServices } from '../../videos/services.ts';
import { VIDEO_STATUS_EVENT, type VideoStatusEvent } from '../../videos/status-stream.ts';
import { STREAM_BOUNDS } from '../../videos/stream-params.ts';
import type { VideoObject } from '../../videos/view.ts';
import { createResponsesFramer } from '../responses/serialize.ts';
import { receiptFrame } from '../run-text.ts';
import { streamErrorFrame } from '../../calls/surface.ts';
import { itemInProgress } from './response.ts';
import { responseStatusOf, videoItem, videoResponseObject, videoResponseParts } from './video.ts';

const TERMINAL_EVENT = { completed: 'response.completed', failed: 'response.failed', cancelled: 'response.cancelled' } as const;

export interface VideoResponseFrames {
  /** The response as submitted (or as an idempotent replay returned it). */
  readonly response: Readonly<Record<string, unknown>>;
  readonly surface: Surface;
  /** The job's status events, with keep-alives between them. */
  readonly events: AsyncIterable<VideoStatusEvent | typeof HEARTBEAT>;
  /** Whether `compose.*` events are sent: natively, when the request opted in (`x-compose-events: true`). */
  readonly composeEvents?: boolean;
}

/** The stream's frames, from the job's status events. An error after the first frame is reported in-band. */
export async function* videoResponseFrames({ response, surface, events, composeEvents = false }: VideoResponseFrames): AsyncGenerator<string> {
  const native = surface === 'native' && composeEvents;
  const { base, itemId } = videoResponseParts(response);
  const frame = createResponsesFramer();
  const initial = response.output as Record<string, unknown>[];
  yield frame('response.created', { response });
  yield frame('response.in_progress', { response });
  yield frame('response.output_item.added', { output_index: 0, item: { ...itemInProgress(initial[0]!), video: initial[0]!.video } });
  let receipt = response.receipt as ReceiptBody | undefined;
  try {
    let last: VideoStatusEvent | undefined;
    for await (const event of events) {
      if (event === HEARTBEAT) {
        yield HEARTBEAT_FRAME;
        continue;
      }
      last = event;
      receipt = event.video.receipt ?? receipt;
      // OpenAI SDKs hand every data frame to the caller: the `type` lets code written for OpenAI skip it.
      if (native) yield eventFrame(VIDEO_STATUS_EVENT, { type: VIDEO_STATUS_EVENT, ...event });
    }
    const video: VideoObject | undefined = last?.video;
    if (video && last?.reason === 'done') {
      const status = responseStatusOf(video) as keyof typeof TERMINAL_EVENT;
      yield frame('response.output_item.done', { output_index: 0, item: videoItem(itemId, video) });
      yield frame(TERMINAL_EVENT[status], { response: videoResponseObject(base, itemId, video) });
    } else if (video && !native) {
      yield frame('response.in_progress', { response: videoResponseObject(base, itemId, video) });
    }
  } catch (error) {
    // After the first byte an error is written into the stream, never thrown into a closed response.
    const exposed = error instanceof ComposeError && error.exposed;
    yield streamErrorFrame(native ? 'native' : 'external', exposed ? { code: error.code, message: error.message } : { code: 'internal_error', message: 'The video status could not be read.' });
  }
  yield DONE_FRAME;
  if (native && receipt) yield receiptFrame('responses', receipt);
}

export interface VideoResponseStream {
  readonly response: Readonly<Record<string, unknown>>;
  readonly surface: Surface;
  /** Lambda's `getRemainingTimeInMillis`. */
  readonly remainingMs: () => number;
  /** The submission's headers (receipt natively, diagnostics externally). */
  readonly headers: Readonly<Record<string, string>>;
  readonly composeEvents?: boolean;
  /** The runtime's hang-up signal, when it has one (HttpRequest.clientGone). */
  readonly clientGone?: AbortSignal;
}

/** The submitted job's Responses stream, polled with the video status stream's default bounds. */
export const streamVideoResponse = (videos: VideoServices, stream: VideoResponseStream): HttpResult => {
  const { jobId } = videoResponseParts(stream.response);
  const abort = new AbortController();
  const watch = watchVideoJob(videos, {
    jobId,
    surface: stream.surface,
    params: { pollIntervalMs: STREAM_BOUNDS.pollIntervalMs.default, timeoutMs: STREAM_BOUNDS.timeoutMs.default },
    remainingMs: stream.remainingMs,
    resumePath: `/v1/videos/${jobId}/stream`,
    signal: abort.signal,
  });
  const frames = videoResponseFrames({ response: stream.response, surface: stream.surface, events: withHeartbeat(watch, videos.settings.heartbeatMs), composeEvents: stream.composeEvents });
  async function* body(): AsyncGenerator<string> {
    try {
      yield* frames;
    } finally {
      abort.abort();
    }
  }
  // The submission's own headers, but the body is a stream now.
  const headers = Object.fromEntries(Object.entries(stream.headers).filter(([name]) => !['content-type', 'content-length'].includes(name)));
  // A hang-up stops the polling at once rather than at its next event or heartbeat.
  const streamed = streamedBody((hangUp) => {
    hangUp.addEventListener('abort', () => abort.abort(), { once: true });
    return body();
  }, stream.clientGone);
  return { statusCode: 200, headers: { ...headers, ...SSE_HEADERS }, body: streamed };
};
