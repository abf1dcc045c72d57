/**
 * `serveText` with an in-memory provider and fake timers (no sockets): the generation deadline before the first
 * byte, and a streamed chat through the paid-stream engine with the text serializer.
 */
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallOptions, StreamPart, TextModelAdapter } from '../../layers/providers/types.ts';
import { heldPayment } from '../../shared/billing/lifecycle.ts';
import type { HttpRequest } from '../../shared/http/request.ts';
import { parseChatRequest, parseResponsesRequest } from '../../shared/inference/request/text-request.ts';
import { serveText } from '../../shared/inference/run-text.ts';
import type { TextServices } from '../../shared/inference/services.ts';
import type { Measured } from '../../shared/pricing/index.ts';
import type { IdempotencyStore } from '../../shared/stores/idempotency.ts';
import type { ResponsesStore } from '../../shared/stores/responses.ts';

const DEADLINE_MS = 2_000;
const HEARTBEAT_MS = 5_000;

const flush = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** A provider that answers nothing until its call is aborted, then fails with the abort's reason, as fetch does. */
const untilAborted = (options: CallOptions): Promise<never> =>
  new Promise((_, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason), { once: true }));

/** Where a Responses call's record goes: `responses` for one (store: true), chat otherwise. */
const textCall = (adapter: Partial<TextModelAdapter>, body: Record<string, unknown>, responses?: ResponsesStore) => {
  const settles: (readonly Measured[])[] = [];
  let releases = 0;
  const payment = heldPayment({
    caller: { id: 'key:test' },
    settle: async (measured) => {
      settles.push(measured);
      return { headers: {} };
    },
    release: async () => void (releases += 1),
  });
  const request = responses
    ? parseResponsesRequest({ model: 'test/model', input: 'Hello', ...body })
    : parseChatRequest({ model: 'test/model', messages: [{ role: 'user', content: 'Hello' }], ...body });
  const services: TextServices = {
    resolveTextModel: () => {
      throw new Error('not used');
    },
    adapterFor: () => adapter as TextModelAdapter,
    responses: responses ?? ({} as ResponsesStore),
    idempotency: {} as IdempotencyStore,
    settings: { heartbeatMs: HEARTBEAT_MS, cancelPollMs: 1_000, deadlineMs: DEADLINE_MS },
  };
  const http = { requestId: 'req-test', headers: {} } as unknown as HttpRequest;
  const call = {
    http,
    request,
    caller: { id: 'key:test' },
    model: { publicId: 'test/model', provider: 'openai' as const, wireModel: 'model-1', row: {} },
    history: [],
    input: request.canonical.messages,
    payment,
    surface: 'native' as const,
  };
  return {
    serve: () => serveText(call, services),
    settles,
    get releases() {
      return releases;
    },
  };
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a text generation past its deadline before the first byte', () => {
  it.each([
    ['unstreamed', { stream: false }, { generate: (_: unknown, options: CallOptions) => untilAborted(options) }],
    ['streamed', { stream: true }, { stream: (_: unknown, options: CallOptions) => untilAborted(options) }],
  ])('%s: is the provider slowness (504 upstream_timeout), not a gateway fault, and charges nothing', async (_name, body, adapter) => {
    const call = textCall(adapter as Partial<TextModelAdapter>, body);
    const failure = expect(call.serve()).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
    await vi.advanceTimersByTimeAsync(DEADLINE_MS);
    await failure;
    expect(call.releases).toBe(1);
    expect(call.settles).toEqual([]);
  });
});

describe('a streamed chat through the paid-stream engine', () => {
  it('frames the provider parts as chunks, ends with [DONE], and charges the usage once', async () => {
    const parts: StreamPart[] = [
      { type: 'text-delta', delta: 'Hi' },
      { type: 'text-delta', delta: ' there' },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
    ];
    const call = textCall({ stream: async () => (async function* () { yield* parts; })() }, { stream: true });
    const result = await call.serve();
    expect(result.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'x-routing-final-model': 'test/model' });
    let text = '';
    (result.body as Readable).on('data', (chunk: Buffer) => void (text += String(chunk)));
    await flush();
    const data = text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => JSON.parse(frame.slice(6)) as { choices: { delta: { content?: string } }[] });
    expect(data.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Hi there');
    expect(text).toContain('data: [DONE]\n\n');
    expect(call.settles).toEqual([[{ kind: 'tokens', usage: { inputTokens: 3, outputTokens: 2 } }]]);
    expect(call.releases).toBe(0);
  });
});

/** A responses store that records what was asked of it, in order. */
const recordingStore = () => {
  const writes: { op: string; status?: string; body?: unknown }[] = [];
  const store = {
    begin: async () => void writes.push({ op: 'begin' }),
    finish: async () => {
      writes.push({ op: 'finish' });
      return true;
    },
    complete: async (_id: string, status: string, body: unknown) => {
      writes.push({ op: 'complete', status, body });
      return true;
    },
    put: async (_id: string, _owner: string, _model: string, _createdAt: number, status: string, body: unknown) => void writes.push({ op: 'put', status, body }),
    status: async () => 'in_progress',
  } as unknown as ResponsesStore;
  return { store, writes };
};

const ANSWER: StreamPart[] = [
  { type: 'text-delta', delta: 'Hi' },
  { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' } },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 1 } },
];

describe('the record of a stored Responses call', () => {
  it('unstreamed: is written once, whole, after the charge (its id reaches the client only with the answer)', async () => {
    const { store, writes } = recordingStore();
    const call = textCall({ generate: async () => ANSWER }, { stream: false }, store);
    const result = await call.serve();
    expect(result.statusCode).toBe(200);
    expect(writes.map((w) => w.op)).toEqual(['put']);
    expect(writes[0]).toMatchObject({ status: 'completed', body: { response: { status: 'completed' } } });
    expect(JSON.stringify(writes[0]!.body)).toContain('Hi');
    expect(call.settles).toHaveLength(1);
  });

  it('streamed: is opened in progress, claimed once the answer is whole, then completed (a cancel can find it meanwhile)', async () => {
    const { store, writes } = recordingStore();
    const call = textCall({ stream: async () => (async function* () { yield* ANSWER; })() }, { stream: true }, store);
    const result = await call.serve();
    (result.body as Readable).resume();
    await flush();
    expect(writes.map((w) => w.op)).toEqual(['begin', 'finish', 'complete']);
    expect(writes[2]).toMatchObject({ status: 'completed' });
    expect(call.settles).toHaveLength(1);
  });
});
