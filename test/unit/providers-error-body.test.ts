/**
 * An upstream error answer's body is read to describe the error, but only its first MAX_ERROR_BODY_BYTES: a broken
 * or hostile provider that answers an error with megabytes (or an endless body) gets the same OpenAI-shaped error
 * as one with a normal body, and the gateway drops the rest unread, closing the connection, instead of holding it
 * all in memory. Over loopback TCP: what is specified is what the provider's server sees of its connection.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../layers/core/errors.ts';
import { describedErrors, sendMedia, type DescribeError, type MediaEndpoint } from '../../layers/providers/http/media-call.ts';
import { nodeFetch } from '../../layers/providers/http/node-fetch.ts';
import { MAX_ERROR_BODY_BYTES, readErrorText } from '../../layers/providers/http/provider-response.ts';
import { upstreamErrorFromResponse } from '../../layers/providers/openai-compatible/error-parsing.ts';

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const waitFor = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 1000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
};

const HUGE = 32 * 1024 * 1024;

interface Sending {
  /** Bytes the server managed to hand to its socket. */
  sent: number;
  /** The whole body was written. */
  finished: boolean;
  /** The client closed the connection. */
  closed: boolean;
}

/** A provider answering `status` with `head` followed by filler up to `total` bytes, written as the client reads. */
const provider = async (status: number, head: string, total: number, filler = ' '): Promise<{ url: string; sending: Sending }> => {
  const sending: Sending = { sent: 0, finished: false, closed: false };
  const chunk = Buffer.alloc(64 * 1024, filler);
  const server = createServer((req, res: ServerResponse) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(total) });
    res.once('close', () => (sending.closed = true));
    const first = Buffer.from(head);
    res.write(first);
    sending.sent = first.byteLength;
    const pump = (): void => {
      while (sending.sent < total && !res.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.byteLength, total - sending.sent));
        sending.sent += part.byteLength;
        if (!res.write(part)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!res.destroyed) res.end(() => (sending.finished = true));
    };
    pump();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sending };
};

const describe_: DescribeError = (body) => ({
  message: typeof body === 'object' && body !== null ? String((body as { error?: { message?: unknown } }).error?.message) : String(body).trim(),
});

const endpoint: MediaEndpoint = {
  provider: 'fireworks',
  transport: { baseURL: 'http://unused.test', apiKey: () => 'k', maxRetries: 0 },
  toError: describedErrors('fireworks', describe_),
};

const failureOf = async (url: string): Promise<UpstreamError> => {
  const outcome = await sendMedia(endpoint, `${url}/v1/images`, { body: '{}' }, { signal: new AbortController().signal, requestId: 'req_err' }, ['k']).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(UpstreamError);
  return outcome as UpstreamError;
};

const ERROR_JSON = '{"error":{"message":"The prompt is too long."}}';

describe('an upstream error answer with a huge body', () => {
  it('maps to the same error as a normal body, and the provider sees its connection closed long before it sent it all', async () => {
    const normal = await provider(400, ERROR_JSON, ERROR_JSON.length);
    const expected = await failureOf(normal.url);
    expect(expected).toMatchObject({ status: 400, code: 'upstream_bad_request', message: 'The prompt is too long.' });

    // The same JSON, then 32 MB of whitespace: still one valid JSON document, whole or cut.
    const huge = await provider(400, ERROR_JSON, HUGE);
    const failure = await failureOf(huge.url);
    // The same OpenAI-shaped body and status.
    expect(failure.status).toBe(expected.status);
    expect(failure.toBody()).toEqual(expected.toBody());
    await waitFor(() => huge.sending.closed);
    expect(huge.sending.finished).toBe(false);
    expect(huge.sending.sent).toBeLessThan(HUGE);
  });

  it('a huge 5xx body still maps to the generic unavailable error (502)', async () => {
    const huge = await provider(500, '<html>', HUGE, 'x');
    const failure = await failureOf(huge.url);
    expect(failure).toMatchObject({ status: 502, code: 'upstream_unavailable', message: 'The provider is unavailable.' });
    await waitFor(() => huge.sending.closed);
    expect(huge.sending.finished).toBe(false);
  });
});

describe('the default transport’s error answers (NodeResponse)', () => {
  it('read at most the bound whoever reads them: the OpenAI-compatible error parser, calling text(), maps a huge body as a normal one', async () => {
    const context = { provider: 'openai', knownSecrets: ['k'] };
    const normal = await provider(400, ERROR_JSON, ERROR_JSON.length);
    const expected = await upstreamErrorFromResponse(await nodeFetch(`${normal.url}/v1/chat/completions`, { method: 'POST', body: '{}' }), context);
    expect(expected).toMatchObject({ status: 400, code: 'upstream_bad_request', message: 'The prompt is too long.' });

    const huge = await provider(400, ERROR_JSON, HUGE);
    const failure = await upstreamErrorFromResponse(await nodeFetch(`${huge.url}/v1/chat/completions`, { method: 'POST', body: '{}' }), context);
    expect(failure.toBody()).toEqual(expected.toBody());
    await waitFor(() => huge.sending.closed);
    expect(huge.sending.finished).toBe(false);
  });

  it('the OpenAI-compatible error parser reads at most the bound of a real Response too (form and stream uploads go through the global fetch)', async () => {
    const context = { provider: 'openai', knownSecrets: ['k'] };
    const huge = await provider(400, ERROR_JSON, HUGE);
    const failure = await upstreamErrorFromResponse(await globalThis.fetch(`${huge.url}/v1/audio/transcriptions`, { method: 'POST', body: '{}' }), context);
    expect(failure).toMatchObject({ status: 400, code: 'upstream_bad_request', message: 'The prompt is too long.' });
    await waitFor(() => huge.sending.closed);
    expect(huge.sending.finished).toBe(false);
  });

  it('read a success’s body whole, however large', async () => {
    const big = await provider(200, '', 4 * MAX_ERROR_BODY_BYTES, 'y');
    const text = await (await nodeFetch(big.url, { method: 'POST', body: '{}' })).text();
    expect(text).toHaveLength(4 * MAX_ERROR_BODY_BYTES);
  });
});

describe('readErrorText', () => {
  const answer = (body: string | ReadableStream<Uint8Array> | null, status = 400) => new Response(body, { status });

  it('reads a normal body whole', async () => {
    expect(await readErrorText(answer(ERROR_JSON))).toBe(ERROR_JSON);
    expect(await readErrorText(answer(null, 500))).toBe('');
  });

  it(`keeps only the first ${MAX_ERROR_BODY_BYTES} bytes of a larger one, across chunks`, async () => {
    const parts = [Buffer.alloc(40_000, 'a'), Buffer.alloc(40_000, 'b'), Buffer.alloc(40_000, 'c')];
    let pulled = 0;
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts[pulled];
        pulled += 1;
        if (next) controller.enqueue(new Uint8Array(next));
        else controller.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    const text = await readErrorText(answer(body));
    expect(text).toHaveLength(MAX_ERROR_BODY_BYTES);
    expect(text).toBe('a'.repeat(40_000) + 'b'.repeat(MAX_ERROR_BODY_BYTES - 40_000));
    // The rest is dropped: the body is cancelled, never read to its end.
    expect(cancelled).toBe(true);
  });

  it('ends a body cut inside a character with a replacement character, as text() decodes malformed bytes', async () => {
    expect(await readErrorText(answer('héllo'), 2)).toBe('h\uFFFD');
  });
});
