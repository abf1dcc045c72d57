/**
 * `POST /v1/responses` with `modalities: ['video']`, end to end on the local runtime: the job goes through the
 * video route's own path (charged in full at submission, SQS, worker, Step Functions, S3) and the response
 * follows it — `in_progress` with its `job_id`, then `GET /v1/responses/{id}` until completed (a presigned MP4),
 * failed or cancelled; cancel by the response id with the job's money policy; `stream: true` as a Responses
 * event stream of the job's status; the external mirror; and every bad body refused before any money moves.
 * Wait states are shortened (the definition is not); the OpenAI video simulator renders in about a second.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_VIDEO_FAULTS } from '../../infra/local/simulators/openai-video/server.ts';
import { createKeyLedger } from '../../shared/keys/index.ts';
import { decodeReceiptHeader, type ReceiptBody } from '../../shared/receipts/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { dataFrames, isComment, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract, expectMatchesSchema } from '../support/openapi.ts';
import type { VideoBody as Video } from '../support/videos.ts';

let gw: E2eRuntime;
let ledger: ReturnType<typeof createKeyLedger>;
let doc: ReturnType<typeof createDocumentClient>;

beforeAll(async () => {
  gw = await startE2eRuntime({
    chain: false,
    videos: { waitMs: 100, retryMs: 20, retryDelaySeconds: 1, simulator: { renderMs: 1_000 } },
    env: { PROVIDER_MAX_RETRIES: '0' },
  });
  const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  doc = createDocumentClient(new DynamoDBClient({ ...local, endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB }));
  ledger = createKeyLedger({ client: doc, tableName: physicalTableName('local', 'ledgers') });
});

afterAll(async () => {
  await gw?.close();
});

interface VideoItem {
  type: string;
  id: string;
  status: string;
  url: string | null;
  video: Video;
}
interface VideoResponse {
  id: string;
  object: string;
  status: string;
  model: string;
  job_id: string;
  store?: boolean;
  output: VideoItem[];
  error: { code: string; message: string } | null;
  receipt?: ReceiptBody;
}

const headers = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });

const post = async (body: Record<string, unknown>, key = gw.apiKey, path = '/v1/responses') => {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: headers(key), body: JSON.stringify(body) });
  return { res, body: (await res.json()) as VideoResponse & { error: { code: string; param?: string } } };
};

const retrieve = async (id: string, key = gw.apiKey): Promise<VideoResponse> => {
  const res = await fetch(`${gw.url}/v1/responses/${id}`, { headers: headers(key) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as VideoResponse;
  expectMatchesContract('/v1/responses/{responseId}', 'get', 200, body);
  return body;
};

/** Polls until `done` holds, a bounded number of times (never a timed assertion). */
const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 300, delayMs = 50): Promise<T> => {
  let value = await read();
  for (let i = 0; i < attempts && !done(value); i++) {
    await new Promise((r) => setTimeout(r, delayMs));
    value = await read();
  }
  return value;
};

/** Finished, with its money settled: a job that produced no video records its refund right after its status. */
const settled = (r: VideoResponse): boolean => r.status === 'completed' || (['failed', 'cancelled'].includes(r.status) && r.output[0]!.video.refund !== undefined);

const keyIdOf = (receipt: ReceiptBody): string => receipt.subject!.replace('compose-key:', '');
const SORA_4S = 400_000n; // 4 s × $0.10 at 720p

const storedResponses = async (): Promise<number> => (await doc.send(new ScanCommand({ TableName: physicalTableName('local', 'responses'), Select: 'COUNT' }))).Count ?? 0;

describe('a video response, end to end', () => {
  it('is answered in progress with its job, charged at submission, and followed with GET until it downloads as an MP4', async () => {
    const key = await gw.mintDevKey(5);
    const { res, body: created } = await post({ model: 'sora-2', input: 'A paper boat on a pond', modalities: ['video'], duration: 4, aspect_ratio: '16:9', resolution: '720p', metadata: { scene: 'pond' } }, key);
    expect(res.status, JSON.stringify(created)).toBe(200);
    expectMatchesContract('/v1/responses', 'post', 200, created);
    expect(created.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(res.headers.get('x-compose-response-id')).toBe(created.id);
    expect(created).toMatchObject({ object: 'response', status: 'in_progress', model: 'sora-2', error: null, metadata: { scene: 'pond' } });
    expect(created.job_id).toMatch(/^video_/);
    expect(created.output).toHaveLength(1);
    const item = created.output[0]!;
    expect(item).toMatchObject({ type: 'video_generation_call', status: 'in_progress', url: null, video: { id: created.job_id, object: 'video', status: 'queued', seconds: '4', size: '1280x720' } });
    expect(item.id).toMatch(/^vg_/);
    // Charged in full at submission: the receipt is in the body and the headers, and the key's ledger is debited.
    expect(created.receipt).toMatchObject({ final_amount_wei: String(SORA_4S), settled: true, line_items: [{ unit: 'video_seconds', quantity: 4, price_entry: '720p' }] });
    expect(decodeReceiptHeader(res.headers.get('x-compose-receipt')!)).toEqual(created.receipt);
    expect(await ledger.getLedger(keyIdOf(created.receipt!))).toMatchObject({ spent: SORA_4S, reserved: 0n, available: 5_000_000n - SORA_4S });

    const done = await until(() => retrieve(created.id, key), (r) => r.status !== 'in_progress');
    expect(done).toMatchObject({ id: created.id, status: 'completed', job_id: created.job_id, error: null, receipt: created.receipt });
    const finished = done.output[0]!;
    expect(finished).toMatchObject({ type: 'video_generation_call', id: item.id, status: 'completed', video: { id: created.job_id, status: 'completed', progress: 100 } });
    expect(finished.url).toBe(finished.video.url);
    const download = await fetch(finished.url!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(new Uint8Array(await download.arrayBuffer()).subarray(4, 8)).toString('latin1')).toBe('ftyp');
    // The job itself is the same one the video routes show, and it was charged once.
    const job = (await (await fetch(`${gw.url}/v1/videos/${created.job_id}`, { headers: headers(key) })).json()) as Video;
    expect(job).toMatchObject({ status: 'completed', receipt: created.receipt });
    expect(await ledger.getLedger(keyIdOf(created.receipt!))).toMatchObject({ spent: SORA_4S, available: 5_000_000n - SORA_4S });
    // Input items are the prompt.
    const items = (await (await fetch(`${gw.url}/v1/responses/${created.id}/input_items`, { headers: headers(key) })).json()) as { data: { content: { text: string }[] }[] };
    expect(items.data[0]!.content[0]!.text).toBe('A paper boat on a pond');
  });

  it('fails with the job, its error and its refund, when the provider fails it', async () => {
    const key = await gw.mintDevKey(5);
    const { body: created } = await post({ model: 'sora-2', input: `Storm at sea ${SIM_VIDEO_FAULTS.fail}`, modalities: ['video'] }, key);
    const failed = await until(() => retrieve(created.id, key), settled);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'video_generation_failed' } });
    expect(failed.output[0]).toMatchObject({ status: 'failed', url: null, video: { status: 'failed', refund: { status: 'refunded', amount_wei: String(SORA_4S) } } });
    expect(await ledger.getLedger(keyIdOf(created.receipt!))).toMatchObject({ spent: 0n, available: 5_000_000n });
  });

  it('keeps no record with store: false, but the job runs and is readable by its id', async () => {
    const { res, body: created } = await post({ model: 'sora-2', input: 'Unkept', modalities: ['video'], store: false });
    expect(res.status).toBe(200);
    expect(created.store).toBe(false);
    expect((await fetch(`${gw.url}/v1/responses/${created.id}`, { headers: headers(gw.apiKey) })).status).toBe(404);
    expect((await fetch(`${gw.url}/v1/videos/${created.job_id}`, { headers: headers(gw.apiKey) })).status).toBe(200);
  });
});

describe('idempotent submissions', () => {
  it('answers a resent submission with the same response and job, charged once; a resent stream opens a fresh view of that job', async () => {
    const key = await gw.mintDevKey(5);
    const body = { model: 'sora-2', input: 'Only once', modalities: ['video'] };
    const idem = { ...headers(key), 'x-idempotency-key': `video-response-${Date.now()}` };
    const send = (extra: Record<string, unknown> = {}) => fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: idem, body: JSON.stringify({ ...body, ...extra }) });
    const first = (await (await send()).json()) as VideoResponse;
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(first);
    expect(await ledger.getLedger(keyIdOf(first.receipt!))).toMatchObject({ spent: SORA_4S, reserved: 0n });

    const streamIdem = { ...idem, 'x-idempotency-key': `video-response-stream-${Date.now()}` };
    const open = async () => dataFrames(parseSse(await (await fetch(`${gw.url}/v1/responses`, { method: 'POST', headers: streamIdem, body: JSON.stringify({ ...body, stream: true }) })).text()));
    const [one, two] = [await open(), await open()];
    const idOf = (frames: typeof one) => (frames[0]!.json as { response: VideoResponse }).response;
    expect(idOf(two).id).toBe(idOf(one).id);
    expect(idOf(two).job_id).toBe(idOf(one).job_id);
    expect(two.map((f) => f.event ?? f.data).slice(-2)).toEqual(['response.completed', '[DONE]']);
    expect(await ledger.getLedger(keyIdOf(first.receipt!))).toMatchObject({ spent: 2n * SORA_4S, reserved: 0n });
  });
});

describe('cancelling a video response by its id', () => {
  it('cancels a job still queued and refunds a Compose Key: the ledger is back where it was', async () => {
    const key = await gw.mintDevKey(5);
    // The provider refuses submissions (503) for a while, so the job waits in the queue between deliveries.
    const { body: created } = await post({ model: 'sora-2', input: `Busy ${SIM_VIDEO_FAULTS.unavailable}`, modalities: ['video'] }, key);
    const keyId = keyIdOf(created.receipt!);
    expect(await ledger.getLedger(keyId)).toMatchObject({ spent: SORA_4S, available: 5_000_000n - SORA_4S });
    const res = await fetch(`${gw.url}/v1/responses/${created.id}/cancel`, { method: 'POST', headers: headers(key) });
    const cancelled = (await res.json()) as VideoResponse;
    expect(res.status, JSON.stringify(cancelled)).toBe(200);
    expectMatchesContract('/v1/responses/{responseId}/cancel', 'POST', 200, cancelled);
    expect(cancelled).toMatchObject({ id: created.id, status: 'cancelled', job_id: created.job_id, error: { code: 'cancelled' } });
    expect(cancelled.output[0]).toMatchObject({ id: created.output[0]!.id, status: 'cancelled', video: { status: 'cancelled', refund: { status: 'refunded', amount_wei: String(SORA_4S) } } });
    expect(await ledger.getLedger(keyId)).toMatchObject({ spent: 0n, reserved: 0n, available: 5_000_000n });
    expect(await retrieve(created.id, key)).toMatchObject({ status: 'cancelled' });
    // Cancelling again answers the same, and refunds nothing twice.
    expect((await fetch(`${gw.url}/v1/responses/${created.id}/cancel`, { method: 'POST', headers: headers(key) })).status).toBe(200);
    expect(await ledger.getLedger(keyId)).toMatchObject({ spent: 0n, available: 5_000_000n });
  });

  it('refuses to cancel a completed one (409) and hides it from other callers (404)', async () => {
    const { body: created } = await post({ model: 'sora-2', input: 'A quick one', modalities: ['video'] });
    expect((await until(() => retrieve(created.id), (r) => r.status !== 'in_progress')).status).toBe('completed');
    const refused = await fetch(`${gw.url}/v1/responses/${created.id}/cancel`, { method: 'POST', headers: headers(gw.apiKey) });
    expect([refused.status, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([409, 'video_not_cancellable']);
    const stranger = await gw.mintDevKey(1);
    expect((await fetch(`${gw.url}/v1/responses/${created.id}`, { headers: headers(stranger) })).status).toBe(404);
    expect((await fetch(`${gw.url}/v1/responses/${created.id}/cancel`, { method: 'POST', headers: headers(stranger) })).status).toBe(404);
  });
});

/** A streamed call's frames as written (comments kept), with their JSON. */
const streamed = async (body: Record<string, unknown>, path = '/v1/responses', key = gw.apiKey, extra: Record<string, string> = {}) => {
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { ...headers(key), ...extra }, body: JSON.stringify({ ...body, stream: true }) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const raw = parseSse(await res.text());
  return { res, comments: raw.filter(isComment), frames: dataFrames(raw) };
};

describe('stream: true', () => {
  it('streams the Responses events around the job status until completed, then [DONE] and the receipt (opted in to compose events)', async () => {
    const { res, frames } = await streamed({ model: 'sora-2', input: 'A lighthouse at dusk', modalities: ['video'] }, '/v1/responses', gw.apiKey, { 'x-compose-events': 'true' });
    const names = frames.map((f) => f.event ?? f.data);
    expect(names.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
    expect(names.slice(-5)).toEqual(['compose.video.status', 'response.output_item.done', 'response.completed', '[DONE]', 'compose.receipt']);
    const statuses = frames.filter((f) => f.event === 'compose.video.status').map((f) => f.json as { type: string; final: boolean; video: Video });
    expect(statuses.length).toBeGreaterThan(1);
    for (const status of statuses) {
      expect(status.type).toBe('compose.video.status');
      expectMatchesSchema('VideoStatusEvent', status);
    }
    expect(statuses.at(-1)).toMatchObject({ final: true, resumable: false, reason: 'done', video: { status: 'completed' } });
    expect(statuses.slice(0, -1).every((s) => !s.final && ['queued', 'in_progress'].includes(s.video.status))).toBe(true);

    // The Responses events are numbered in order, and their objects are the document's.
    const responses = frames.filter((f) => f.event?.startsWith('response.')).map((f) => f.json as { type: string; sequence_number: number; response?: VideoResponse; item?: VideoItem });
    expect(responses.map((e) => e.sequence_number)).toEqual([0, 1, 2, 3, 4]);
    const created = responses[0]!.response!;
    expectMatchesSchema('ResponseObject', created);
    expect(created).toMatchObject({ status: 'in_progress', output: [{ type: 'video_generation_call', status: 'in_progress' }] });
    expect(res.headers.get('x-compose-response-id')).toBe(created.id);
    expect(responses[2]!.item).toMatchObject({ type: 'video_generation_call', id: created.output[0]!.id, status: 'in_progress' });
    const done = responses[3]!.item!;
    expect(done).toMatchObject({ id: created.output[0]!.id, status: 'completed', video: { status: 'completed' } });
    expect((await fetch(done.url!)).headers.get('content-type')).toBe('video/mp4');
    const completed = responses[4]!.response!;
    expectMatchesSchema('ResponseObject', completed);
    expect(completed).toMatchObject({ id: created.id, status: 'completed', job_id: created.job_id });
    const receipt = frames.at(-1)!.json as { type: string } & ReceiptBody;
    expect(receipt).toMatchObject({ type: 'compose.receipt', final_amount_wei: String(SORA_4S) });
    expect(completed.receipt).toMatchObject({ final_amount_wei: String(SORA_4S) });
    // The stream's record reads as the job is now.
    expect(await retrieve(created.id)).toMatchObject({ status: 'completed', output: [{ url: expect.any(String) }] });
  });

  it('sends only OpenAI’s event types unless the request opts in, with the receipt in the terminal response', async () => {
    const { frames } = await streamed({ model: 'sora-2', input: 'A plain stream', modalities: ['video'] });
    const names = frames.map((f) => f.event ?? f.data);
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed', '[DONE]']);
    expect((frames[4]!.json as { response: VideoResponse }).response.receipt).toMatchObject({ final_amount_wei: String(SORA_4S) });
  });

  it('ends with response.failed when the job fails', async () => {
    const { frames } = await streamed({ model: 'sora-2', input: `Doomed ${SIM_VIDEO_FAULTS.fail}`, modalities: ['video'] });
    const names = frames.map((f) => f.event ?? f.data);
    expect(names.slice(-3)).toEqual(['response.output_item.done', 'response.failed', '[DONE]']);
    const failed = frames.find((f) => f.event === 'response.failed')!.json as { response: VideoResponse };
    expectMatchesSchema('ResponseObject', failed.response);
    expect(failed.response).toMatchObject({ status: 'failed', error: { code: 'video_generation_failed' } });
  });
});

describe('the external mirror', () => {
  it('submits video through /external/v1/responses in OpenAI\u2019s shapes: no receipt, diagnostic headers, no compose events', async () => {
    const { res, body: created } = await post({ model: 'sora-2', input: 'External boat', modalities: ['video'] }, gw.apiKey, '/external/v1/responses');
    expect(res.status).toBe(200);
    expectMatchesContract('/external/v1/responses', 'post', 200, created);
    expect(created).not.toHaveProperty('receipt');
    expect(created.output[0]!.video).not.toHaveProperty('receipt');
    expect(res.headers.get('x-compose-receipt')).toBeNull();
    expect(res.headers.get('x-compose-upstream-provider')).toBe('openai');
    expect(res.headers.get('x-compose-public-model')).toBe('sora-2');
    // The same Compose Key reads it natively.
    expect((await until(() => retrieve(created.id), (r) => r.status !== 'in_progress')).status).toBe('completed');

    const { frames } = await streamed({ model: 'sora-2', input: 'External stream', modalities: ['video'] }, '/external/v1/responses');
    const names = frames.map((f) => f.event ?? f.data);
    expect(names.some((name) => name.startsWith('compose.'))).toBe(false);
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed', '[DONE]']);
    const completed = (frames[4]!.json as { response: VideoResponse }).response;
    expect(completed).not.toHaveProperty('receipt');
    expect(completed.output[0]!.url).toEqual(expect.any(String));
  });

  it('refuses bad video bodies externally too', async () => {
    const { res, body } = await post({ model: 'sora-2', input: 'x', modalities: ['video'], duration: 5 }, gw.apiKey, '/external/v1/responses');
    expect([res.status, body.error.code, body.error.param]).toEqual([400, 'duration_out_of_range', 'duration']);
  });
});

describe('bad input is refused before any money moves', () => {
  it.each([
    [{ duration: 5 }, 'duration_out_of_range', 'duration'],
    [{ duration: 4.5 }, 'duration_out_of_range', 'duration'],
    [{ duration: 'long' }, 'invalid_duration', 'duration'],
    [{ resolution: '4k' }, 'unsupported_resolution', 'resolution'],
    [{ aspect_ratio: '4:3' }, 'unsupported_aspect_ratio', 'aspect_ratio'],
    [{ size: 'big' }, 'invalid_size', 'size'],
    [{ voice: 'nova' }, 'unsupported_parameter', 'voice'],
    [{ n: 2 }, 'unsupported_parameter', 'n'],
    [{ image_url: 'https://example.com/a.png' }, 'unsupported_parameter', 'image_url'],
    [{ temperature: 0.5 }, 'unsupported_parameter', 'temperature'],
    [{ previous_response_id: 'resp_123' }, 'unsupported_parameter', 'previous_response_id'],
    [{ input: 'x'.repeat(10_001) }, 'prompt_too_long', 'input'],
    [{ model: 'gpt-4o-mini' }, 'unsupported_operation', 'model'],
  ])('%j → 400 %s', async (fields, code, param) => {
    const key = await gw.mintDevKey(5);
    const before = await storedResponses();
    const { res, body } = await post({ model: 'sora-2', input: 'x', modalities: ['video'], ...fields }, key);
    expect({ status: res.status, code: body.error.code, param: body.error.param }).toEqual({ status: 400, code, param });
    expect(await storedResponses()).toBe(before);
  });

  it('keeps no record and starts no job when the payment is refused', async () => {
    const poor = await gw.mintDevKey(0.1); // less than the 4-second video's $0.40
    const before = await storedResponses();
    const { res, body } = await post({ model: 'sora-2', input: 'Too dear', modalities: ['video'] }, poor);
    expect(res.status).toBe(402);
    expect(body.error.code).toBeTruthy();
    expect(await storedResponses()).toBe(before);
  });
});
