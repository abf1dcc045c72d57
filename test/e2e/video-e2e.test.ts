/**
 * Video jobs end to end on the local runtime: the route writes the job and sends it to the SQS stand-in, the
 * worker (fed real SQS events) submits it to the OpenAI video simulator and starts a Step Functions execution
 * of the deployed definition, which waits, polls and chooses until the video is copied into the S3 stand-in.
 * Wait states and retries are shortened (the definition is not); the simulator renders in about a second.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyLedger } from '../../shared/keys/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { executionArnOf } from '../../shared/videos/workflow.ts';
import { VIDEO_QUEUE } from '../../shared/videos/queue.ts';
import { VIDEO_STATES } from '../../shared/videos/state-machine.ts';
import { SIM_VIDEO_FAULTS } from '../../infra/local/simulators/openai-video/server.ts';
import { dataFrames, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import type { VideoBody as Video } from '../support/videos.ts';

const JOB_TIMEOUT_SECONDS = 7;
let gw: E2eRuntime;
let sfn: SFNClient;
let sqs: SQSClient;
let ledger: ReturnType<typeof createKeyLedger>;

beforeAll(async () => {
  gw = await startE2eRuntime({
    chain: false,
    videos: { waitMs: 100, retryMs: 20, retryDelaySeconds: 1, simulator: { renderMs: 1_000 } },
    // No adapter-level retries: the queue's redeliveries are what is under test.
    env: { VIDEO_JOB_TIMEOUT_SECONDS: String(JOB_TIMEOUT_SECONDS), PROVIDER_MAX_RETRIES: '0' },
  });
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  sfn = new SFNClient({ ...local, endpoint: gw.env.AWS_ENDPOINT_URL_SFN });
  sqs = new SQSClient({ ...local, endpoint: gw.env.AWS_ENDPOINT_URL_SQS, useQueueUrlAsEndpoint: false });
  ledger = createKeyLedger({ client: createDocumentClient(new DynamoDBClient({ ...local, endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB })), tableName: physicalTableName('local', 'ledgers') });
});

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  await gw?.close();
});

const submit = async (body: Record<string, unknown>, key = gw.apiKey) => {
  const res = await gw.fetch('/v1/videos/generations', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { res, body: (await res.json()) as Video };
};

const getVideo = async (id: string, key = gw.apiKey): Promise<{ status: number; body: Video }> => {
  const res = await gw.fetch(`/v1/videos/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as Video };
};

/** Polls until `done` holds, a bounded number of times (never a timed assertion). */
const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 200, delayMs = 50): Promise<T> => {
  let value = await read();
  for (let i = 0; i < attempts && !done(value); i++) {
    await new Promise((r) => setTimeout(r, delayMs));
    value = await read();
  }
  return value;
};

/** Done, with its money settled: a job that produced no video records its refund right after its status. */
const isSettled = (video: Video): boolean => video.status === 'completed' || (['failed', 'cancelled'].includes(video.status) && video.refund !== undefined);
const finished = (id: string, key = gw.apiKey, attempts = 200) => until(() => getVideo(id, key), ({ body }) => isSettled(body), attempts);

const keyIdOf = (video: Video): string => video.receipt!.subject!.replace('compose-key:', '');

/** The job's execution, or undefined before the worker has started it (it records in_progress first). */
const executionOf = (jobId: string) =>
  sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(gw.videos!.stateMachineArn, jobId) })).catch((error: unknown) => {
    if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  });
const stoppedExecutionOf = (jobId: string) => until(() => executionOf(jobId), (e) => e !== undefined && e.status !== 'RUNNING');

/** The states the execution entered, once it has stopped (the job's record is written a state before the end). */
const historyOf = async (jobId: string): Promise<string[]> => {
  await stoppedExecutionOf(jobId);
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executionArnOf(gw.videos!.stateMachineArn, jobId) }));
  return events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
};

describe('a video job, end to end', () => {
  it('goes through the queue and the state machine, streams its progress to completed, and downloads from S3', async () => {
    const key = await gw.mintDevKey(5);
    const { res, body: job } = await submit({ model: 'sora-2', prompt: 'A paper boat on a pond', duration: 4, aspect_ratio: '16:9' }, key);
    expect(res.status).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/videos/${job.id}`);
    expect(res.headers.get('x-compose-receipt')).toBeTruthy();
    expectMatchesContract('/v1/videos/generations', 'POST', 202, job);
    expect(job).toMatchObject({ object: 'video', status: 'queued', model: 'sora-2', seconds: '4', size: '1280x720', url: null });
    // Charged at submission: 4 s × $0.10 at 720p, settled on the key's ledger before the job runs.
    expect(job.receipt).toMatchObject({ final_amount_wei: '400000', settled: true, line_items: [{ unit: 'video_seconds', quantity: 4, price_entry: '720p' }] });
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 400_000n, reserved: 0n, available: 5_000_000n - 400_000n });

    const stream = await gw.fetch(`/v1/videos/${job.id}/stream?pollIntervalMs=500`, { headers: { authorization: `Bearer ${key}` } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const frames = dataFrames(parseSse(await stream.text()));
    expect(frames.at(-1)!.data).toBe('[DONE]');
    const events = frames.slice(0, -1);
    expect(events.every((f) => f.event === 'compose.video.status')).toBe(true);
    const statuses = events.map((f) => (f.json as { video: Video }).video.status);
    const progress = events.map((f) => (f.json as { video: Video }).video.progress);
    expect(statuses.at(-1)).toBe('completed');
    expect(statuses.filter((s) => s !== 'completed').every((s) => s === 'queued' || s === 'in_progress')).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const last = events.at(-1)!.json as { final: boolean; resumable: boolean; video: Video };
    expect(last).toMatchObject({ final: true, resumable: false });
    expect(events.slice(0, -1).every((f) => (f.json as { final: boolean }).final === false)).toBe(true);

    const done = (await getVideo(job.id, key)).body;
    expectMatchesContract('/v1/videos/{id}', 'GET', 200, done);
    expect(done).toMatchObject({ status: 'completed', progress: 100, error: null });
    const download = await fetch(done.url!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(Buffer.from(bytes.subarray(4, 8)).toString('latin1')).toBe('ftyp');

    // The provider saw one submission; Step Functions ran Wait → poll → Choice, back to Wait until the render
    // was done (how many rounds that takes depends on the machine: the stall test shows the loop), then store.
    expect(gw.videos!.simulator!.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const visited = await historyOf(job.id);
    const rounds = Math.max(1, Math.ceil((visited.length - 2) / 3));
    const loop = [VIDEO_STATES.wait, VIDEO_STATES.poll, VIDEO_STATES.choice];
    expect(visited).toEqual([...Array.from({ length: rounds }, () => loop).flat(), VIDEO_STATES.store, VIDEO_STATES.completed]);
    expect((await stoppedExecutionOf(job.id))?.status).toBe('SUCCEEDED');
  });

  it('uses the official SDK-style `seconds` and `size` too', async () => {
    const { res, body } = await submit({ model: 'sora-2-pro', prompt: 'A lighthouse', seconds: '8', size: '1024x1792' });
    expect(res.status).toBe(202);
    expect(body).toMatchObject({ seconds: '8', size: '1024x1792', resolution: '1024p', aspect_ratio: '9:16' });
    expect(body.receipt!.final_amount_wei).toBe('4000000'); // 8 s × $0.50
    expect((await finished(body.id)).body.status).toBe('completed');
    expect(gw.videos!.simulator!.requests.some((r) => r.method === 'POST' && r.contentType?.startsWith('multipart/form-data') && r.fields.size === '1024x1792' && r.fields.seconds === '8')).toBe(true);
  });
});

describe('money when a job produces no video', () => {
  it('a job the provider fails is recorded failed and its charge is credited back to the key', async () => {
    const key = await gw.mintDevKey(5);
    const { body: job } = await submit({ model: 'sora-2', prompt: `Storm at sea ${SIM_VIDEO_FAULTS.fail}` }, key);
    const { body } = await finished(job.id, key);
    expect(body).toMatchObject({ status: 'failed', url: null, error: { code: 'video_generation_failed' }, refund: { status: 'refunded', amount_wei: '400000' } });
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 0n, reserved: 0n, available: 5_000_000n });
    expect((await historyOf(job.id)).slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
  });

  it('a submission the provider refuses fails the job at the worker and refunds it', async () => {
    const key = await gw.mintDevKey(5);
    const { res, body: job } = await submit({ model: 'sora-2', prompt: `Forbidden ${SIM_VIDEO_FAULTS.reject}` }, key);
    expect(res.status).toBe(202);
    const { body } = await finished(job.id, key);
    expect(body).toMatchObject({ status: 'failed', error: { code: 'upstream_bad_request' }, refund: { status: 'refunded' } });
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 0n, available: 5_000_000n });
  });

  it('a provider that never finishes is timed out by the state machine and refunded', async () => {
    const key = await gw.mintDevKey(5);
    const { body: job } = await submit({ model: 'sora-2', prompt: `Slow ${SIM_VIDEO_FAULTS.stall}` }, key);
    const { body } = await finished(job.id, key, 400);
    expect(body).toMatchObject({ status: 'failed', error: { code: 'video_timeout' }, refund: { status: 'refunded', amount_wei: '400000' } });
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 0n, available: 5_000_000n });
    // It polled round the Wait → poll → Choice loop until the deadline, then failed.
    const visited = await historyOf(job.id);
    expect(visited.filter((s) => s === VIDEO_STATES.poll).length).toBeGreaterThan(1);
    expect(visited.slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
  });

  it('a provider that stays unavailable is retried from the queue, then failed on the last delivery and refunded', async () => {
    const key = await gw.mintDevKey(5);
    const { body: job } = await submit({ model: 'sora-2', prompt: `Busy ${SIM_VIDEO_FAULTS.unavailable}` }, key);
    const { body } = await finished(job.id, key, 600);
    expect(body).toMatchObject({ status: 'failed', error: { code: 'upstream_unavailable' }, refund: { status: 'refunded' } });
    // One submission per delivery, up to the queue's maxReceiveCount.
    const attempts = gw.videos!.simulator!.requests.filter((r) => r.method === 'POST' && r.fields.prompt === `Busy ${SIM_VIDEO_FAULTS.unavailable}`).length;
    expect(attempts).toBe(VIDEO_QUEUE.maxReceiveCount);
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 0n });
  });

  it('a message that can never be processed ends in the dead-letter queue', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: gw.videos!.queues.queueUrl, MessageBody: 'not a video job' }));
    const received = await until(
      () => sqs.send(new ReceiveMessageCommand({ QueueUrl: gw.videos!.queues.dlqUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 })),
      (r) => (r.Messages?.length ?? 0) > 0,
      30,
      0,
    );
    expect(received.Messages?.[0]?.Body).toBe('not a video job');
  });
});

describe('cancellation through POST /v1/responses/{id}/cancel', () => {
  it('cancels a running job, stops its execution, and keeps the charge (the provider was already rendering)', async () => {
    const key = await gw.mintDevKey(5);
    const { body: job } = await submit({ model: 'sora-2', prompt: `Endless ${SIM_VIDEO_FAULTS.stall}` }, key);
    // Running: the worker records in_progress, then starts the execution.
    await until(() => executionOf(job.id), (e) => e?.status === 'RUNNING');
    expect((await getVideo(job.id, key)).body.status).toBe('in_progress');
    const res = await gw.fetch(`/v1/responses/${job.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const cancelled = (await res.json()) as { id: string; status: string; job_id: string; video: Video };
    expectMatchesContract('/v1/responses/{responseId}/cancel', 'POST', 200, cancelled);
    expect(cancelled).toMatchObject({ id: job.id, object: 'response', status: 'cancelled', job_id: job.id, video: { status: 'cancelled', refund: { status: 'not_refundable' } } });
    expect((await getVideo(job.id, key)).body).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    const execution = (await stoppedExecutionOf(job.id))!;
    // Either StopExecution stopped it, or a poll between the cancel's write and StopExecution saw the job
    // cancelled and ended it through the Cancelled state: both stop the execution, neither renders on.
    if (execution.status !== 'ABORTED') expect({ status: execution.status, poll: (JSON.parse(execution.output ?? '{}') as { poll?: unknown }).poll }).toMatchObject({ status: 'SUCCEEDED', poll: { status: 'cancelled' } });
    expect(await ledger.getLedger(keyIdOf(job))).toMatchObject({ spent: 400_000n });
    // Cancelling again answers the same; a finished job cannot be cancelled.
    expect((await gw.fetch(`/v1/responses/${job.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });

  it('refuses to cancel a completed job (409) and hides other callers\u2019 jobs (404)', async () => {
    const { body: job } = await submit({ model: 'sora-2', prompt: 'A quick one' });
    expect((await finished(job.id)).body.status).toBe('completed');
    const refused = await gw.fetch(`/v1/responses/${job.id}/cancel`, { method: 'POST' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('video_not_cancellable');
    const stranger = await gw.mintDevKey(1);
    expect((await gw.fetch(`/v1/responses/${job.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${stranger}` } })).status).toBe(404);
  });
});

describe('the status stream', () => {
  it('ends before the job does with a resumable event when timeoutMs runs out', async () => {
    const { body: job } = await submit({ model: 'sora-2', prompt: `Long ${SIM_VIDEO_FAULTS.stall}` });
    const res = await gw.fetch(`/v1/videos/${job.id}/stream?pollIntervalMs=1000&timeoutMs=5000`);
    const frames = dataFrames(parseSse(await res.text()));
    const last = frames.at(-2)!.json as { final: boolean; resumable: boolean; reason: string; resume_url: string; video: Video };
    expect(frames.at(-1)!.data).toBe('[DONE]');
    expect(last).toMatchObject({ final: true, resumable: true, reason: 'timeout' });
    expect(last.resume_url).toBe(`/v1/videos/${job.id}/stream?pollIntervalMs=1000&timeoutMs=600000`);
    expect(frames.length).toBeGreaterThanOrEqual(4);
  });
});

describe('bad input', () => {
  const refusal = async (res: Response) => ({ status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code });

  it.each([
    [{ model: 'sora-2', prompt: 'x', duration: 5 }, 'duration_out_of_range'],
    [{ model: 'sora-2', prompt: 'x', duration: 60 }, 'duration_out_of_range'],
    [{ model: 'sora-2', prompt: 'x', duration: 4.5 }, 'duration_out_of_range'],
    [{ model: 'veo-3.0-generate-001', provider: 'vertex', prompt: 'x', duration: 0 }, 'duration_out_of_range'],
    [{ model: 'sora-2', prompt: 'x', duration: 'long' }, 'invalid_duration'],
    [{ model: 'sora-2' }, 'missing_prompt'],
    [{ prompt: 'x' }, 'missing_model'],
    [{ model: 'sora-2', prompt: 'x', resolution: '4k' }, 'unsupported_resolution'],
    [{ model: 'sora-2', prompt: 'x', aspect_ratio: '4:3' }, 'unsupported_aspect_ratio'],
    [{ model: 'sora-2', prompt: 'x', image_url: 'https://example.com/a.png' }, 'unsupported_parameter'],
    [{ model: 'gpt-4o-mini', prompt: 'x' }, 'unsupported_operation'],
  ])('%j → 400 %s, before anything is charged', async (body, code) => {
    const { res, body: answer } = await submit(body);
    expect({ status: res.status, code: (answer as unknown as { error: { code: string } }).error.code }).toEqual({ status: 400, code });
  });

  it('an unknown model is a 404; no credential is a 402 (native) or 401 (external)', async () => {
    const unknown = await submit({ model: 'no-such-video-model', prompt: 'x' });
    expect({ status: unknown.res.status, code: (unknown.body as unknown as { error: { code: string } }).error.code }).toEqual({ status: 404, code: 'model_not_found' });
    const anonymous = await fetch(`${gw.url}/v1/videos/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sora-2', prompt: 'x' }) });
    expect(anonymous.status).toBe(402);
    const external = await fetch(`${gw.url}/external/v1/videos/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sora-2', prompt: 'x' }) });
    expect(external.status).toBe(401);
  });

  it('an unknown job is a 404 on every route', async () => {
    const missing = 'video_000000000000000000000000000000000000000000000000';
    expect(await refusal(await gw.fetch(`/v1/videos/${missing}`))).toEqual({ status: 404, code: 'video_not_found' });
    expect(await refusal(await gw.fetch(`/v1/videos/${missing}/stream`))).toEqual({ status: 404, code: 'video_not_found' });
    // An id that is not a video id at all is malformed, not unknown: 400, as OpenAI answers a malformed id.
    expect(await refusal(await gw.fetch(`/v1/videos/not-a-video-id`))).toEqual({ status: 400, code: 'invalid_video_id' });
    expect((await gw.fetch(`/v1/responses/${missing}/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it.each([
    ['pollIntervalMs=499', 'poll_interval_out_of_range'],
    ['pollIntervalMs=30001', 'poll_interval_out_of_range'],
    ['timeoutMs=4999', 'timeout_out_of_range'],
    ['timeoutMs=3600001', 'timeout_out_of_range'],
    ['pollIntervalMs=fast', 'invalid_poll_interval'],
    ['timeoutMs=-1', 'invalid_timeout'],
  ])('stream bounds: %s → 400 %s', async (query, code) => {
    const { body: job } = await submit({ model: 'sora-2', prompt: 'bounds' });
    expect(await refusal(await gw.fetch(`/v1/videos/${job.id}/stream?${query}`))).toEqual({ status: 400, code });
  });
});

describe('the external mirror', () => {
  it('submits with a Compose Key and answers in OpenAI\u2019s shape: no receipt, diagnostic headers', async () => {
    const res = await fetch(`${gw.url}/external/v1/videos/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sora-2', prompt: 'External boat' }),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as Video;
    expectMatchesContract('/external/v1/videos/generations', 'POST', 202, body);
    expect(body.receipt).toBeUndefined();
    expect(res.headers.get('x-compose-receipt')).toBeNull();
    expect(res.headers.get('x-compose-upstream-provider')).toBe('openai');
    expect((await finished(body.id)).body.status).toBe('completed');
  });
});
