/**
 * The video routes. Submission follows the text path's order for money (prove the caller, price, hold, then
 * act at most once per idempotency key) and then charges in full: a video's price is exact, so the payment is
 * finalized at submission and the receipt comes back with the job. Money for jobs that never produce a video
 * is handled by failure.ts and cancel.ts (see README.md).
 */
import { Readable } from 'node:stream';
import type { Context } from 'aws-lambda';
import { sleep } from '../../layers/providers/http/sleep.ts';
import type { Billing, Payment, Surface } from '../billing/types.ts';
import { ComposeError, UpstreamError } from '../errors.ts';
import type { Operation } from '../http/handler.ts';
import { readJsonObject, type HttpRequest } from '../http/request.ts';
import { json, type HttpResult } from '../http/response.ts';
import { idempotently } from '../inference/idempotent.ts';
import { DONE_FRAME, HEARTBEAT_FRAME, SSE_HEADERS, eventFrame } from '../sse/encode.ts';
import { HEARTBEAT, withHeartbeat } from '../sse/heartbeat.ts';
import { failVideoJob } from './failure.ts';
import { newVideoJobId } from './ids.ts';
import { VIDEO_STATUS, type VideoJob } from './job.ts';
import { measuredVideo, priceVideo } from './price.ts';
import { parseVideoRequest } from './request.ts';
import type { VideoServices } from './services.ts';
import { VIDEO_STATUS_EVENT, videoStatusEvents } from './status-stream.ts';
import { parseStreamParams } from './stream-params.ts';
import { toVideoObject } from './view.ts';

const viewOf = async (services: VideoServices, job: VideoJob, surface: Surface) =>
  toVideoObject(job, surface, job.status === VIDEO_STATUS.completed && job.videoKey ? await services.storage.presign(job.videoKey) : undefined);

/** Creates the job, charges it, and hands it to the queue. Any failure after the charge fails the job, and so refunds it. */
const submit = async (services: VideoServices, http: HttpRequest, payment: Payment, surface: Surface, parsed: ReturnType<typeof parseVideoRequest>): Promise<HttpResult> => {
  const now = Math.floor(Date.now() / 1000);
  const job: VideoJob = {
    id: newVideoJobId(),
    owner: payment.caller.id,
    status: VIDEO_STATUS.queued,
    progress: 0,
    createdAt: now,
    expiresAt: now + services.settings.retentionDays * 86_400,
    ...parsed.spec,
  };
  await services.jobs.create(job);
  let settled;
  try {
    settled = await payment.finalize({ kind: 'served', measured: [measuredVideo(parsed.spec)] });
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
  // External clients know only OpenAI's shapes: no receipt, but the diagnostic headers the external routes promise.
  const headers =
    surface === 'native'
      ? settled.headers
      : { 'x-compose-public-model': job.model, 'x-compose-upstream-provider': job.provider, 'x-compose-upstream-model': job.wireModel };
  return json(202, toVideoObject(charged, surface), { ...headers, location: `/v1/videos/${job.id}` });
};

const create =
  (services: VideoServices, billing: Billing, surface: Surface): Operation =>
  async (http) => {
    const body = readJsonObject(http);
    const parsed = parseVideoRequest(body);
    const payer = await billing.identify(http, surface);
    const payment = await payer.charge(priceVideo(http, parsed.spec, parsed.units));
    let replayed = false;
    try {
      const result = await idempotently(
        http,
        payer.caller,
        JSON.stringify(body),
        services.idempotency,
        async (onFinished) => {
          const answer = await submit(services, http, payment, surface, parsed);
          await onFinished?.({ statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body as string });
          return answer;
        },
        () => void (replayed = true),
      );
      if (replayed) await payment.release();
      return result;
    } catch (error) {
      // Only a payment that was never finalized is held; release does nothing after finalize.
      await payment.release().catch(() => undefined);
      throw error;
    }
  };

/** Reads need only the caller, never a payment: a job is visible to the credential that created it. */
const owner = async (http: HttpRequest, billing: Billing) => (await billing.identify(http, 'native')).caller;

const stream = (services: VideoServices, billing: Billing): Operation => async (http, context: Context) => {
  const params = parseStreamParams(http.query);
  const caller = await owner(http, billing);
  const id = http.pathParameters.id!;
  await services.jobs.readOwned(id, caller.id);
  const abort = new AbortController();
  const events = videoStatusEvents({
    jobId: id,
    params,
    read: async () => {
      const job = await services.jobs.read(id);
      if (!job) throw new UpstreamError(404, 'video_not_found', 'The video job no longer exists.');
      return viewOf(services, job, 'native');
    },
    remainingMs: () => context.getRemainingTimeInMillis(),
    marginMs: services.settings.streamMarginMs,
    path: http.path,
    signal: abort.signal,
    sleep,
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
  return { statusCode: 200, headers: { ...SSE_HEADERS }, body: Readable.from(frames(), { objectMode: false }) };
};

/** The video routes' operations, shared by the native family and the external mirror (which only submits). */
export const createVideoOperations = (services: VideoServices, billing: Billing, surface: Surface = 'native') => ({
  'videos.create': create(services, billing, surface),
  'videos.get': async (http: HttpRequest) => {
    const caller = await owner(http, billing);
    return json(200, await viewOf(services, await services.jobs.readOwned(http.pathParameters.id!, caller.id), 'native'));
  },
  'videos.stream': stream(services, billing),
});
