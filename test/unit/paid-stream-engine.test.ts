/**
 * The paid-stream engine (shared/calls/paid-stream.ts) on its own: an in-memory provider, a payment whose hold
 * counts its settles and releases, fake timers for heartbeats, deadlines and cancel polling. No sockets.
 */
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallOptions, StreamError } from '../../layers/providers/types.ts';
import { ClientClosedError, UpstreamError } from '../../layers/core/errors.ts';
import { heldPayment } from '../../shared/billing/lifecycle.ts';
import { runPaidStream, type PaidStream, type StreamErrors } from '../../shared/calls/paid-stream.ts';
import { CancelledError, StoppedError } from '../../shared/calls/provider-call.ts';
import type { Measured } from '../../shared/pricing/index.ts';
import type { ReceiptBody } from '../../shared/receipts/index.ts';

const HEARTBEAT_MS = 1_000;
const KEEP_ALIVE = ': keep-alive\n\n';
const DONE = 'data: [DONE]\n\n';
const ERRORS: StreamErrors = {
  timeout: { code: 'test_timeout', message: 'Too slow.' },
  lost: { code: 'test_lost', message: 'The provider stream failed.' },
};
const CANCELLED: StreamError = { code: 'response_cancelled', message: 'The response was cancelled.' };
const RECEIPT = { final_amount_wei: '7' } as unknown as ReceiptBody;

/** Lets streams, promises and Node's stream machinery run; fake time does not move. */
const flush = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

/** Moves fake time, then lets everything it woke run. */
const tick = async (ms: number): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
  await flush();
};

/**
 * A provider in memory: the test says when it answers, what it sends, and how it ends. Aborting the call's
 * signal rejects whatever is waiting on it with the signal's reason, as a real fetch does.
 */
const fakeProvider = () => {
  let options: CallOptions | undefined;
  const queue: string[] = [];
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let answer: (() => void) | undefined;
  let refuse: ((error: unknown) => void) | undefined;
  let reads = 0;

  const aborted = (signal: AbortSignal, reject: (error: unknown) => void) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  };

  async function* parts(): AsyncGenerator<string> {
    while (true) {
      if (queue.length > 0) {
        reads += 1;
        yield queue.shift()!;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        aborted(options!.signal, reject);
      });
    }
  }

  return {
    open: async (call: CallOptions): Promise<AsyncIterable<string>> => {
      options = call;
      await new Promise<void>((resolve, reject) => {
        answer = resolve;
        refuse = reject;
        aborted(call.signal, reject);
      });
      return parts();
    },
    answer: () => answer?.(),
    refuse: (error: unknown) => refuse?.(error),
    send: (...more: string[]) => {
      queue.push(...more);
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
    fail: (error: unknown) => {
      failure = error;
      wake?.();
    },
    get signal(): AbortSignal {
      return options!.signal;
    },
    get reads() {
      return reads;
    },
  };
};

/** A payment over a hold that records every settle and release. */
const fakePayment = () => {
  const settles: (readonly Measured[])[] = [];
  let releases = 0;
  const payment = heldPayment({
    caller: { id: 'key:test' },
    settle: async (measured) => {
      settles.push(measured);
      return { receipt: RECEIPT, headers: {} };
    },
    release: async () => {
      releases += 1;
    },
  });
  return {
    payment,
    settles,
    get releases() {
      return releases;
    },
  };
};

/** A serializer that frames each part as `data: <part>` and remembers in-band failures; a meter of parts delivered. */
const fakeSerializer = () => {
  let delivered = 0;
  const failures: StreamError[] = [];
  return {
    failures,
    serializer: {
      *part(part: string) {
        delivered += 1;
        yield `data: ${part}\n\n`;
      },
      fail: (error: StreamError) => void failures.push(error),
    },
    meter: (end: 'finished' | 'abandoned'): Measured[] => (delivered > 0 ? [{ kind: 'characters', characters: end === 'finished' ? delivered : delivered * 100 }] : []),
  };
};

const setup = (overrides: Partial<PaidStream<string>> = {}) => {
  const provider = fakeProvider();
  const pay = fakePayment();
  const frames = fakeSerializer();
  const finished: string[] = [];
  let abandoned = 0;
  const stream: PaidStream<string> = {
    http: { requestId: 'req-test' },
    payment: pay.payment,
    model: { publicId: 'test/model', provider: 'openai', wireModel: 'model-1' },
    surface: 'native',
    composeEvents: true,
    heartbeatMs: HEARTBEAT_MS,
    deadlineMs: 60_000,
    open: provider.open,
    serializer: frames.serializer,
    meter: frames.meter,
    errors: ERRORS,
    onFinished: async ({ body }) => void finished.push(body),
    onAbandoned: async () => void (abandoned += 1),
    ...overrides,
  };
  return {
    provider,
    pay,
    frames,
    finished,
    stream,
    get abandoned() {
      return abandoned;
    },
  };
};

/** Reads a streamed body as the client would, keeping everything it got. */
const read = (body: unknown) => {
  const readable = body as Readable;
  let text = '';
  let ended = false;
  readable.on('data', (chunk: Buffer | string) => void (text += String(chunk)));
  readable.on('end', () => void (ended = true));
  readable.on('error', () => undefined);
  return {
    readable,
    get text() {
      return text;
    },
    get ended() {
      return ended;
    },
  };
};

beforeEach(() => {
  // setImmediate stays real: `flush` uses it to let Node's streams run without moving fake time.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the paid-stream engine: first byte and heartbeats', () => {
  it('answers as SSE at the provider first byte with the routing headers, then frames, [DONE] and the receipt, and settles once', async () => {
    const t = setup({ headers: { 'x-compose-response-id': 'resp_1' } });
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const result = await answering;
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({
      'content-type': 'text/event-stream; charset=utf-8',
      'x-compose-response-id': 'resp_1',
      'x-routing-primary-model': 'test/model',
      'x-routing-attempts': '1',
    });
    const client = read(result.body);
    t.provider.send('a', 'b');
    t.provider.end();
    await flush();
    expect(client.ended).toBe(true);
    expect(client.text).toBe(`data: a\n\ndata: b\n\n${DONE}event: compose.receipt\ndata: ${JSON.stringify({ type: 'compose.receipt', final_amount_wei: '7' })}\n\n`);
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 2 }]]);
    expect(t.pay.releases).toBe(0);
  });

  it('leaves a provider read to its end unaborted, its deadline cleared: nothing upstream is left to stop', async () => {
    const t = setup();
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    t.provider.end();
    await flush();
    expect(client.ended).toBe(true);
    expect(t.provider.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('commits a provider silent for a heartbeat interval to SSE and sends keep-alives until it speaks, none of them in the replay transcript', async () => {
    const t = setup();
    let result: Awaited<ReturnType<typeof runPaidStream>> | undefined;
    void runPaidStream(t.stream).then((answered) => void (result = answered));
    await tick(HEARTBEAT_MS - 1);
    expect(result).toBeUndefined();
    await tick(1);
    expect(result?.statusCode).toBe(200);

    const client = read(result!.body);
    await tick(HEARTBEAT_MS);
    await tick(HEARTBEAT_MS);
    expect(client.text).toBe(KEEP_ALIVE.repeat(2));
    t.provider.answer();
    t.provider.send('late');
    t.provider.end();
    await flush();
    expect(client.text).toBe(`${KEEP_ALIVE.repeat(2)}data: late\n\n${DONE}event: compose.receipt\ndata: ${JSON.stringify({ type: 'compose.receipt', final_amount_wei: '7' })}\n\n`);
    // The replay sends the answer again, not the waiting.
    expect(t.finished).toEqual([client.text.slice(KEEP_ALIVE.length * 2)]);
  });

  it('keeps a committed stream alive while the provider pauses between parts', async () => {
    const t = setup();
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    await flush();
    await tick(HEARTBEAT_MS);
    t.provider.send('b');
    t.provider.end();
    await flush();
    expect(client.text.startsWith(`data: a\n\n${KEEP_ALIVE}data: b\n\n${DONE}`)).toBe(true);
  });
});

describe('the paid-stream engine: errors before and after the first byte', () => {
  it('before the first byte, a refusal is an HTTP error: the hold is released once, nothing charged, openFailed told', async () => {
    const openFailed = vi.fn(async () => undefined);
    const t = setup({ openFailed });
    const answering = runPaidStream(t.stream);
    const refusal = new UpstreamError(429, 'upstream_rate_limited', 'Slow down.');
    t.provider.refuse(refusal);
    await expect(answering).rejects.toBe(refusal);
    expect(t.pay.releases).toBe(1);
    expect(t.pay.settles).toEqual([]);
    expect(openFailed).toHaveBeenCalledWith(refusal);
    expect(t.provider.signal.aborted).toBe(true);
  });

  it('before the first byte, the deadline is the provider slowness: 504 upstream_timeout, nothing charged', async () => {
    const t = setup({ deadlineMs: HEARTBEAT_MS / 2 });
    const answering = runPaidStream(t.stream);
    const failure = expect(answering).rejects.toMatchObject({ status: 504, code: 'upstream_timeout' });
    await tick(HEARTBEAT_MS / 2);
    await failure;
    expect(t.pay.releases).toBe(1);
    expect(t.pay.settles).toEqual([]);
  });

  it('before the first byte, a client that hangs up gets no gateway fault (499) and is charged nothing', async () => {
    const gone = new AbortController();
    const t = setup({ http: { requestId: 'req-test', clientGone: gone.signal } });
    const answering = runPaidStream(t.stream);
    gone.abort();
    await expect(answering).rejects.toBeInstanceOf(ClientClosedError);
    expect(t.pay.releases).toBe(1);
  });

  it('before the first byte, externally, a provider error names where the call was routed', async () => {
    const t = setup({ surface: 'external', composeEvents: false });
    const answering = runPaidStream(t.stream);
    t.provider.refuse(new UpstreamError(503, 'upstream_unavailable', 'Down.'));
    await expect(answering).rejects.toMatchObject({ status: 503, headers: { 'x-compose-upstream-provider': 'openai', 'x-compose-upstream-model': 'model-1' } });
  });

  it.each([
    ['an exposed error keeps its own code', new UpstreamError(502, 'upstream_invalid_response', 'Garbled.'), 'upstream_invalid_response', 'Garbled.'],
    ['anything else is the stream lost', new Error('socket hang up: secret internals'), 'test_lost', 'The provider stream failed.'],
  ])('after the first byte, %s, in-band: compose.error natively, before [DONE]', async (_name, error, code, message) => {
    const t = setup();
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    await flush();
    t.provider.fail(error);
    await flush();
    const body = { error: { message, type: 'api_error', code } };
    expect(client.text.startsWith(`data: a\n\nevent: compose.error\ndata: ${JSON.stringify(body)}\n\n${DONE}`)).toBe(true);
    expect(t.frames.failures.map((failure) => failure.code)).toEqual([code]);
    // The meter decides what a failed stream owes (here: what it delivered); it is settled once.
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 1 }]]);
    expect(t.pay.releases).toBe(0);
  });

  it('after the first byte, externally, the error is OpenAI data frame and no compose event or receipt follows', async () => {
    const t = setup({ surface: 'external', composeEvents: false });
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.fail(new Error('boom'));
    await flush();
    expect(client.text).toBe(`data: ${JSON.stringify({ error: { message: 'The provider stream failed.', type: 'api_error', code: 'test_lost' } })}\n\n${DONE}`);
    // Nothing was delivered: nothing is owed, the hold is released.
    expect(t.pay.settles).toEqual([]);
    expect(t.pay.releases).toBe(1);
  });

  it('after the first byte, the deadline ends the stream with the stream timeout error, in-band', async () => {
    const t = setup({ deadlineMs: 5 * HEARTBEAT_MS });
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    await flush();
    await tick(5 * HEARTBEAT_MS);
    expect(client.ended).toBe(true);
    expect(client.text).toContain(`event: compose.error\ndata: ${JSON.stringify({ error: { message: 'Too slow.', type: 'api_error', code: 'test_timeout' } })}`);
    expect(t.pay.settles).toHaveLength(1);
  });
});

describe('the paid-stream engine: hang-ups', () => {
  it('a client that hangs up mid-stream stops the provider at once and owes what the meter says for abandoned, settled once', async () => {
    const t = setup();
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a', 'b');
    await flush();
    // A failed write (Lambda) destroys the body while the provider is silent.
    client.readable.destroy();
    await flush();
    expect(t.provider.signal.aborted).toBe(true);
    expect(t.provider.signal.reason).toBeInstanceOf(ClientClosedError);
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 200 }]]);
    expect(t.pay.releases).toBe(0);
    expect(t.abandoned).toBe(1);
    expect(t.finished).toEqual([]);
    // Nothing the provider sends later is read, and nothing more is settled.
    t.provider.send('c');
    await tick(HEARTBEAT_MS * 3);
    expect(t.pay.settles).toHaveLength(1);
  });

  it('a client that hangs up (the runtime says so) before anything was delivered releases the hold and frees its key', async () => {
    const gone = new AbortController();
    const t = setup({ http: { requestId: 'req-test', clientGone: gone.signal } });
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    read((await answering).body);
    await flush();
    gone.abort();
    await flush();
    expect(t.provider.signal.reason).toBeInstanceOf(ClientClosedError);
    expect(t.pay.settles).toEqual([]);
    expect(t.pay.releases).toBe(1);
    expect(t.abandoned).toBe(1);
  });

  it('a hang-up after the stream settled changes nothing: settled once, never released', async () => {
    const t = setup();
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    t.provider.end();
    await flush();
    client.readable.destroy();
    await flush();
    expect(t.pay.settles).toHaveLength(1);
    expect(t.pay.releases).toBe(0);
    expect(t.abandoned).toBe(0);
    expect(t.finished).toHaveLength(1);
  });
});

describe('the paid-stream engine: cancel and stop', () => {
  const cancellable = (requested: () => boolean, claim: () => boolean) =>
    setup({ cancel: { requested: async () => requested(), claim: async () => claim(), pollMs: 500, error: CANCELLED, context: { responseId: 'resp_1' } } });

  it('a cancel recorded mid-stream stops the provider at the next poll and ends in-band, owing what was delivered', async () => {
    let cancelled = false;
    const t = cancellable(() => cancelled, () => !cancelled);
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    await flush();
    cancelled = true;
    await tick(500);
    expect(t.provider.signal.reason).toBeInstanceOf(CancelledError);
    expect(client.ended).toBe(true);
    expect(client.text).toContain(`event: compose.error\ndata: ${JSON.stringify({ error: { message: CANCELLED.message, type: 'api_error', code: 'response_cancelled' } })}`);
    expect(t.frames.failures).toEqual([CANCELLED]);
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 1 }]]);
  });

  it('a late cancel, recorded after the last part but before the claim, still wins: in-band cancel, delivered output owed', async () => {
    const t = cancellable(() => false, () => false);
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a', 'b');
    t.provider.end();
    await flush();
    expect(client.text).toContain('"code":"response_cancelled"');
    expect(t.frames.failures).toEqual([CANCELLED]);
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 2 }]]);
  });

  it('a cancel after the claim is refused: the answer finishes whole', async () => {
    const claim = vi.fn(() => true);
    const t = cancellable(() => false, claim);
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    t.provider.end();
    await flush();
    expect(claim).toHaveBeenCalledTimes(1);
    expect(client.text).not.toContain('compose.error');
    expect(t.frames.failures).toEqual([]);
  });

  it('stops polling for a cancel once the stream is over', async () => {
    const requested = vi.fn(() => false);
    const t = cancellable(requested, () => true);
    const answering = runPaidStream(t.stream);
    t.provider.answer();
    read((await answering).body);
    await tick(1_000);
    const polls = requested.mock.calls.length;
    expect(polls).toBe(2);
    t.provider.end();
    await flush();
    await tick(5_000);
    expect(requested).toHaveBeenCalledTimes(polls);
  });

  it('a serializer that says the answer is over stops the provider there: nothing more is read', async () => {
    const t = setup();
    const frames = t.frames.serializer;
    let parts = 0;
    const answering = runPaidStream({ ...t.stream, serializer: { ...frames, part: (part) => {
          parts += 1;
          return frames.part(part);
        }, ended: () => parts >= 2 } });
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a', 'b', 'c');
    await flush();
    expect(t.provider.signal.reason).toBeInstanceOf(StoppedError);
    expect(client.text.startsWith(`data: a\n\ndata: b\n\n${DONE}`)).toBe(true);
    expect(t.pay.settles).toEqual([[{ kind: 'characters', characters: 2 }]]);
  });

  it('closes with the serializer closing frames before [DONE], given the final charge', async () => {
    const t = setup();
    const close = vi.fn(async () => ['event: terminal\ndata: {}\n\n']);
    const answering = runPaidStream({ ...t.stream, serializer: { ...t.frames.serializer, close } });
    t.provider.answer();
    const client = read((await answering).body);
    t.provider.send('a');
    t.provider.end();
    await flush();
    expect(close).toHaveBeenCalledWith({ receipt: RECEIPT, headers: {} }, undefined);
    expect(client.text.startsWith(`data: a\n\nevent: terminal\ndata: {}\n\n${DONE}`)).toBe(true);
  });
});
