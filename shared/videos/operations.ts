/**
 * The video routes. Submission follows the text path's order for money (prove the caller, price, hold, then
 * act at most once per idempotency key) and then charges in full: a video's price is exact, so the payment is
 * finalized at submission and the receipt comes back with the job. Money for jobs that never produce a video
 * is handled by failure.ts and cancel.ts (see README.md).
 */
import { streamedBody } from '../../layers/core/sse/body.ts';
import type { Context } from 'aws-lambda';
import { sleep } from '../../layers/providers/http/sleep.ts';
import type { Billing, Payer, Payment, Settled, Surface } from '../billing/types.ts';
import { ComposeError, UpstreamError } from '../../layers/core/errors.ts';
import type { Operation } from '../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../http/request.ts';
import { json, type HttpResult } from '../http/response.ts';
import { paidIdempotently } from '../calls/idempotent.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../../layers/core/sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../../layers/core/sse/heartbeat.ts';
import { videoContent } from './content.ts';
import { failVideoJob } from './failure.ts';
import { newVideoJobId } from './ids.ts';
import { VIDEO_STATUS, type VideoJob, type VideoSpec } from './job.ts';
import { measuredVideo, priceVideo } from './price.ts';
import { parseVideoRequest, type ParsedVideoRequest } from './request.ts';
import type { VideoServices } from './services.ts';
import { VIDEO_STATUS_EVENT, videoStatusEvents, type VideoStatusEvent } from './status-stream.ts';
import { parseStreamParams, type StreamParams } from './stream-params.ts';
import { toVideoObject, type VideoObject } from './view.ts';

/** A job as its owner sees it now: the download URL is presigned once the video is stored. */
export const viewVideoJob = async (services: VideoServices, job: VideoJob, surface: Surface): Promise<VideoObject> =>
  toVideoObject(job, surface, job.status === VIDEO_STATUS.completed && job.videoKey ? await services.storage.presign(job.videoKey) : undefined);

/** A submitted job as the queue received it, and the charge made for it. */
export interface SubmittedVideo {
  readonly job: VideoJob;
  readonly settled: Settled;
}

/** Creates the job, charges it, and hands it to the queue. Any failure after the charge fails the job, and so refunds it. */
const submitVideoJob = async (services: VideoServices, payment: Payment, spec: VideoSpec): Promise<SubmittedVideo> => {
  const now = Math.floor(Date.now() / 1000);
  const job: VideoJob = {
    id: newVideoJobId(),
    owner: payment.caller.id,
    status: VIDEO_STATUS.queued,
    progress: 0,
    createdAt: now,
    expiresAt: now + services.settings.retentionDays * 86_400,
    ...spec,
  };
  await services.jobs.create(job);
  let settled: Settled;
  try {
    settled = await payment.finalize({ kind: 'served', measured: [measuredVideo(spec)] });
  } catch (error) {
    await services.jobs.transition(job.id, [VIDEO_STATUS.queued], { status: VIDEO_STATUS.failed, error: { code: 'payment_failed', message: 'The payment could not be settled.' } });
    throw error;
  }
  const charged = (await services.jobs.transition(job.id, [VIDEO_STATUS.queued], settled.receipt ? { receipt: settled.receipt } : {})) ?? job;
  try {
    await services.queue.enqueue({ jobId: job.id });
  } catch (cause) {
    await failVideoJob(services, job.id, { code: 'enqueue_failed', message: 'The job could not be queued.' });
    throw new ComposeError(503, 'api_error', 'video_queue_unavailable', 'The video job could not be queued; any charge was returned. Retry later.', { cause });
  }
  return { job: charged, settled };
};

export interface PaidVideoCall {
  readonly http: HttpRequest;
  readonly payer: Payer;
  readonly parsed: ParsedVideoRequest;
  /** The request as it matters for idempotency: the same call always gives the same text. */
  readonly fingerprint: string;
}

/**
 * Submits a video job the way every route that accepts one must (`POST /v1/videos/generations`, and `POST
 * /v1/responses` with `modalities: ['video']`): hold the exact price, then at most once per idempotency key
 * create the job, charge it in full, queue it, and answer with what `respond` makes of it. A replay is free and
 * answers as the first call did.
 */
export const submitPaidVideo = (services: VideoServices, call: PaidVideoCall, respond: (submitted: SubmittedVideo) => Promise<HttpResult>): Promise<HttpResult> =>
  paidIdempotently(call.http, call.payer, priceVideo(call.http, call.parsed.spec, call.parsed.units), call.fingerprint, services.idempotency, async (payment, onFinished) => {
    const answer = await respond(await submitVideoJob(services, payment, call.parsed.spec));
    await onFinished?.({ statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body as string });
    return answer;
  });

/** External clients know only OpenAI's shapes: no receipt, but the diagnostic headers the external routes promise. */
export const submittedHeaders = ({ job, settled }: SubmittedVideo, surface: Surface): Record<string, string> =>
  surface === 'native' ? { ...settled.headers } : { 'x-compose-public-model': job.model, 'x-compose-upstream-provider': job.provider, 'x-compose-upstream-model': job.wireModel };

const create =
  (services: VideoServices, billing: Billing, surface: Surface): Operation =>
  async (http) => {
    const body = readJsonObject(http);
    const parsed = parseVideoRequest(body);
    const payer = await billing.identify(http, surface);
    return submitPaidVideo(services, { http, payer, parsed, fingerprint: JSON.stringify(body) }, async (submitted) =>
      json(202, toVideoObject(submitted.job, surface), { ...submittedHeaders(submitted, surface), location: `/v1/videos/${submitted.job.id}` }),
    );
  };

export interface VideoWatch {
  readonly jobId: string;
  readonly surface: Surface;
  readonly params: StreamParams;
  /** Lambda's `getRemainingTimeInMillis`: the watch closes with a resumable event before the function ends. */
  readonly remainingMs: () => number;
  /** Where the client picks the status stream up again when this one ends before the job. */
  readonly resumePath: string;
  readonly signal: AbortSignal;
}

/** The job's status every poll interval until it ends or the stream's time is up (see status-stream.ts). */
export const watchVideoJob = (services: VideoServices, watch: VideoWatch): AsyncGenerator<VideoStatusEvent> =>
  videoStatusEvents({
    jobId: watch.jobId,
    params: watch.params,
    read: async () => {
      const job = await services.jobs.read(watch.jobId);
      if (!job) throw new UpstreamError(404, 'video_not_found', 'The video job no longer exists.');
      return viewVideoJob(services, job, watch.surface);
    },
    remainingMs: watch.remainingMs,
    marginMs: services.settings.streamMarginMs,
    path: watch.resumePath,
    signal: watch.signal,
    sleep,
  });

/** Reads need only the caller, never a payment: a job is visible to the credential that created it. */
const owner = (http: HttpRequest, billing: Billing, surface: Surface = 'native') => billing.owner(http, surface);

const stream = (services: VideoServices, billing: Billing): Operation => async (http, context: Context) => {
  const params = parseStreamParams(http.query);
  const caller = await owner(http, billing);
  const id = http.pathParameters.id!;
  await services.jobs.readOwned(id, caller.id);
  const abort = new AbortController();
  const events = watchVideoJob(services, {
    jobId: id,
    surface: 'native',
    params,
    remainingMs: () => context.getRemainingTimeInMillis(),
    resumePath: http.path,
    signal: abort.signal,
  });
  async function* frames(): AsyncGenerator<string> {
    try {
      for await (const event of withHeartbeat(events, services.settings.heartbeatMs)) {
        yield event === HEARTBEAT ? HEARTBEAT_FRAME : eventFrame(VIDEO_STATUS_EVENT, event);
      }
      yield DONE_FRAME;
    } catch (error) {
      // After the first byte an error is written into the stream, never thrown into a closed response.
      const failure = error instanceof ComposeError ? error : new ComposeError(500, 'api_error', 'internal_error', 'The status stream failed.');
      yield eventFrame('compose.error', failure.toBody());
    } finally {
      abort.abort();
    }
  }
  // A hang-up stops the polling at once rather than at its next event or heartbeat.
  const body = streamedBody((hangUp) => {
    hangUp.addEventListener('abort', () => abort.abort(), { once: true });
    return frames();
  }, http.clientGone);
  return { statusCode: 200, headers: { ...SSE_HEADERS }, body };
};

/** The video routes' operations, shared by the native family and the external mirror (submit, read, download). */
export const createVideoOperations = (services: VideoServices, billing: Billing, surface: Surface = 'native') => ({
  'videos.create': create(services, billing, surface),
  'videos.get': async (http: HttpRequest) => {
    const caller = await owner(http, billing, surface);
    return json(200, await viewVideoJob(services, await services.jobs.readOwned(http.pathParameters.id!, caller.id), surface));
  },
  'videos.stream': stream(services, billing),
  'videos.content': videoContent(services, billing, surface),
});
