/**
 * The default provider transport (layers/providers/http/node-fetch.ts): fetch's shape over node:http, against a
 * loopback server. What adapters rely on from a Response holds: status, headers, a streamed body, the caller's
 * signal ending the call before and after the answer, bodies decoded when a provider compresses unasked.
 * Over loopback TCP on purpose, unlike the adapter tests (support/in-memory-http.ts): the transport's subject is
 * its connections (refused connects, a cancelled gzip body closing the provider's socket).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchWithRetry } from '../../layers/providers/http/fetch-with-retry.ts';
import { nodeFetch } from '../../layers/providers/http/node-fetch.ts';
import { NodeResponse, type RawHeaders } from '../../layers/providers/http/node-response.ts';
import { bodyChunks, discardBody } from '../../layers/providers/http/provider-response.ts';

let server: Server | undefined;
const received: { method: string | undefined; headers: IncomingMessage['headers']; body: string }[] = [];

const serve = async (handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method, headers: req.headers, body });
      handle(req, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

afterEach(async () => {
  received.length = 0;
  const open = server;
  server = undefined;
  if (!open) return;
  open.closeAllConnections();
  await new Promise((resolve) => open.close(resolve));
});

const waitFor = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
};

describe('nodeFetch, the default provider transport', () => {
  it('sends the method, headers and body, and answers status, headers and body as fetch does', async () => {
    const url = await serve((_, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      res.end('{"ok":true}');
    });
    const body = JSON.stringify({ text: 'héllo' });
    const response = await nodeFetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json', authorization: 'Bearer k' }, body });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ ok: true });
    expect(received[0]).toMatchObject({ method: 'POST', body });
    expect(received[0]!.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': String(Buffer.byteLength(body)) });
  });

  it('streams the body as it arrives', async () => {
    let finish: (() => void) | undefined;
    const url = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      finish = () => res.end('data: 2\n\n');
    });
    const response = await nodeFetch(url, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 1\n\n');
    finish!();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: 2\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('answers a null body for 204 and does not follow redirects', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(307, { location: '/empty' }).end();
    });
    const empty = await nodeFetch(`${url}/empty`, { method: 'POST', body: '' });
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    const moved = await nodeFetch(`${url}/moved`, { method: 'POST', body: '{}' });
    expect(moved.status).toBe(307);
    expect(received.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('decodes a gzip body a provider sent unasked', async () => {
    const url = await serve((_, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('{"compressed":true}'));
    });
    expect(await (await nodeFetch(url, { method: 'POST', body: '{}' })).json()).toEqual({ compressed: true });
  });

  it('closes the provider connection when the reader cancels a compressed body half-way (a hang-up stops the provider)', async () => {
    let closed = false;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      // One complete gzip member, then the stream stays open: the provider would go on generating.
      res.write(gzipSync('data: one\n\n'));
      res.once('close', () => (closed = true));
    });
    const response = await nodeFetch(`${url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    await reader.cancel();
    await waitFor(() => closed);
  });

  it('rejects with the signal’s reason when aborted before the answer, and fails the body when aborted after it', async () => {
    const url = await serve((req, res) => {
      if (req.url === '/stall') return;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const before = new AbortController();
    const pending = nodeFetch(`${url}/stall`, { method: 'POST', body: '{}', signal: before.signal });
    await waitFor(() => received.length === 1);
    const reason = new DOMException('gone', 'AbortError');
    before.abort(reason);
    await expect(pending).rejects.toBe(reason);

    const after = new AbortController();
    const response = await nodeFetch(`${url}/open`, { method: 'POST', body: '{}', signal: after.signal });
    const reader = response.body!.getReader();
    await reader.read();
    after.abort(new Error('client gone'));
    await expect(reader.read()).rejects.toThrow();
  });

  it('fails with a TypeError naming the cause when the provider cannot be reached', async () => {
    const url = await serve(() => undefined);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(nodeFetch(url, { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'TypeError', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });

  it('hands bodies it does not send itself (streams, forms) to the global fetch', async () => {
    const url = await serve((_, res) => res.writeHead(200).end('ok'));
    const form = new FormData();
    form.set('field', 'value');
    const response = await nodeFetch(url, { method: 'POST', body: form });
    expect(await response.text()).toBe('ok');
    expect(received[0]!.headers['content-type']).toMatch(/^multipart\/form-data/);
  });
});

describe('the answer nodeFetch gives (NodeResponse): a Response’s reading surface without Response, Headers or a web stream', () => {
  const answer = async (handle: (res: ServerResponse) => void, init: RequestInit = { method: 'POST', body: '{}' }) => nodeFetch(await serve((_, res) => handle(res)), init);

  it('is not a Response and reads its headers as Headers does: any case, repeated values joined', async () => {
    const response = await answer((res) => {
      res.setHeader('X-Multi', ['a', 'b']);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    });
    expect(response).toBeInstanceOf(NodeResponse);
    expect(response).not.toBeInstanceOf(Response);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('CONTENT-TYPE')).toBe('text/plain');
    expect(response.headers.get('x-multi')).toBe('a, b');
    expect(response.headers.has('x-missing')).toBe(false);
    expect(response.headers.get('x-missing')).toBeNull();
    expect([...(response.headers as RawHeaders)].find(([name]) => name === 'x-multi')).toEqual(['x-multi', 'a, b']);
    expect(await response.text()).toBe('ok');
  });

  it('reads the body as text, JSON or bytes, once', async () => {
    const text = await answer((res) => res.writeHead(200).end('\uFEFFhéllo'));
    expect(await text.text()).toBe('héllo');
    await expect(text.text()).rejects.toThrow(TypeError);
    const json = await answer((res) => res.writeHead(200).end('{"a":[1,2]}'));
    expect(await json.json()).toEqual({ a: [1, 2] });
    const bytes = await answer((res) => res.writeHead(200).end(Buffer.from([0, 1, 2, 255])));
    const buffer = await bytes.arrayBuffer();
    expect(buffer.byteLength).toBe(4);
    expect([...new Uint8Array(buffer)]).toEqual([0, 1, 2, 255]);
    const broken = await answer((res) => res.writeHead(200).end('{"a":'));
    await expect(broken.json()).rejects.toThrow(SyntaxError);
  });

  it('has no body for HEAD and the null-body statuses, and says ok only for 2xx', async () => {
    const head = await answer((res) => res.writeHead(200, { 'content-length': '5' }).end(), { method: 'HEAD' });
    expect([head.status, head.ok, head.body, head.chunks!()]).toEqual([200, true, null, null]);
    expect(await head.text()).toBe('');
    const reset = await answer((res) => res.writeHead(205).end());
    expect([reset.status, reset.body, bodyChunks(reset)]).toEqual([205, null, null]);
    const failed = await answer((res) => res.writeHead(503, 'Busy').end('later'));
    expect([failed.status, failed.statusText, failed.ok]).toEqual([503, 'Busy', false]);
  });

  it('hands its chunks straight off the Node stream, the first one kept by peek, and builds a web body only when asked', async () => {
    let finish: (() => void) | undefined;
    const response = (await answer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      finish = () => res.end('data: 2\n\n');
    })) as NodeResponse;
    await response.peek();
    expect(response.bodyUsed).toBe(false);
    const chunks = response.chunks()![Symbol.asyncIterator]();
    expect(new TextDecoder().decode((await chunks.next()).value)).toBe('data: 1\n\n');
    expect(response.bodyUsed).toBe(true);
    finish!();
    expect(new TextDecoder().decode((await chunks.next()).value)).toBe('data: 2\n\n');
    expect((await chunks.next()).done).toBe(true);

    const lazy = (await answer((res) => res.writeHead(200).end('streamed'))) as NodeResponse;
    const body = lazy.body;
    expect(body).toBeInstanceOf(ReadableStream);
    expect(lazy.body).toBe(body);
    // Asking for the stream reads nothing: the body can still be read another way.
    expect(lazy.bodyUsed).toBe(false);
    expect(await lazy.text()).toBe('streamed');
  });

  it('replays a peeked first chunk through the web body too', async () => {
    const response = (await answer((res) => res.writeHead(200).end('whole body'))) as NodeResponse;
    await response.peek();
    expect(await new Response(response.body).text()).toBe('whole body');
  });

  it('closes the provider connection when its reader stops early, or when the answer is discarded unread', async () => {
    let closed = 0;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      res.once('close', () => (closed += 1));
    });
    const read = await nodeFetch(url, { method: 'POST', body: '{}' });
    for await (const chunk of bodyChunks(read)!) {
      expect(new TextDecoder().decode(chunk)).toBe('data: one\n\n');
      break;
    }
    await waitFor(() => closed === 1);
    const unread = await nodeFetch(url, { method: 'POST', body: '{}' });
    await discardBody(unread);
    await waitFor(() => closed === 2);
    const cancelled = await nodeFetch(url, { method: 'POST', body: '{}' });
    await cancelled.body!.cancel();
    await waitFor(() => closed === 3);
  });

  it('keeps a failure of a body nobody reads yet for its first read, instead of an unhandled error event', async () => {
    const url = await serve((_req, res) => {
      // Compressed: the body is a decoder's stream, which (unlike the response itself) emits every error it gets.
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.write(gzipSync('data: one\n\n'));
    });
    const controller = new AbortController();
    const response = await nodeFetch(url, { method: 'POST', body: '{}', signal: controller.signal });
    controller.abort(new Error('client gone'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(response.text()).rejects.toThrow('client gone');
  });

  it('decodes a compressed body read as chunks', async () => {
    const response = await answer((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      res.end(gzipSync('data: zipped\n\n'));
    });
    let text = '';
    for await (const chunk of bodyChunks(response)!) text += new TextDecoder().decode(chunk);
    expect(text).toBe('data: zipped\n\n');
  });

  it('takes request headers as a record, a list of pairs or a Headers', async () => {
    const url = await serve((_, res) => res.writeHead(200).end());
    await nodeFetch(url, { method: 'POST', body: '', headers: [['X-Pair', '1']] });
    await nodeFetch(url, { method: 'POST', body: '', headers: new Headers({ 'X-Headers': '2' }) });
    expect(received.map((r) => [r.headers['x-pair'], r.headers['x-headers']])).toEqual([
      ['1', undefined],
      [undefined, '2'],
    ]);
  });
});

describe('nodeFetch behind the retry loop (fetch-with-retry.ts)', () => {
  it('closes a retried answer’s connection (its body unread, still streaming) and hands back the retry, first chunk kept', async () => {
    let attempts = 0;
    let firstClosed = false;
    const url = await serve((_req, res) => {
      attempts += 1;
      if (attempts === 1) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.write('busy, and this body never ends');
        res.once('close', () => (firstClosed = true));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: 1\n\ndata: 2\n\n');
    });
    const response = await fetchWithRetry(url, { method: 'POST', body: '{}' }, { signal: new AbortController().signal, backoff: { baseDelayMs: 1, maxDelayMs: 1 } });
    expect(response).toBeInstanceOf(NodeResponse);
    expect(response.status).toBe(200);
    await waitFor(() => firstClosed);
    let text = '';
    for await (const chunk of bodyChunks(response)!) text += new TextDecoder().decode(chunk);
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
  });
});

describe('a provider that answers an error status, then nothing', () => {
  it('is timed out within the attempt, like a success that stalls: the caller is never left reading an error body that never comes', async () => {
    let attempts = 0;
    const url = await serve((_req, res) => {
      attempts += 1;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.flushHeaders();
    });
    const outcome = await fetchWithRetry(url, { method: 'POST', body: '{}' }, { signal: new AbortController().signal, timeoutMs: 200, maxRetries: 0 }).then(
      // Without the attempt's timeout, the error body is read under nothing but the call's deadline (minutes).
      async (response) => Promise.race([response.text(), new Promise((resolve) => setTimeout(resolve, 5_000, 'still reading'))]),
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ status: 504, code: 'upstream_timeout' });
    expect(attempts).toBe(1);
  });

  it('is retried at once when its status is retried: the body of an answer dropped unread is not waited for', async () => {
    let attempts = 0;
    const url = await serve((_req, res) => {
      attempts += 1;
      if (attempts === 1) {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.flushHeaders();
        return;
      }
      res.end('{"ok":true}');
    });
    const response = await fetchWithRetry(url, { method: 'POST', body: '{}' }, { signal: new AbortController().signal, timeoutMs: 60_000, backoff: { baseDelayMs: 1, maxDelayMs: 1 } });
    expect(await response.json()).toEqual({ ok: true });
    expect(attempts).toBe(2);
    // Far inside the attempt's timeout: waiting for the dropped body would take the whole minute.
  }, 20_000);
});

describe('NodeResponse chunks as an iterator', () => {
  it('keeps answering done after the end, and a body-less answer reads as empty, twice', async () => {
    const url = await serve((req, res) => (req.url === '/empty' ? res.writeHead(204).end() : res.writeHead(200).end('')));
    const short = (await nodeFetch(url, { method: 'POST', body: '' })) as NodeResponse;
    const chunks = short.chunks()![Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(true);
    expect((await chunks.next()).done).toBe(true);
    const empty = await nodeFetch(`${url}/empty`, { method: 'POST', body: '' });
    expect(empty.chunks!()).toBeNull();
    expect(await empty.text()).toBe('');
    await expect(empty.text()).rejects.toThrow(TypeError);
  });

  it('leaves a body another reader holds alone when an unread web body over it is cancelled', async () => {
    let finish: (() => void) | undefined;
    const url = await serve((_, res) => {
      res.writeHead(200);
      res.write('kept, ');
      finish = () => res.end('whole');
    });
    const response = (await nodeFetch(url, { method: 'POST', body: '' })) as NodeResponse;
    const body = response.body!;
    const text = response.text();
    await body.cancel();
    finish!();
    expect(await text).toBe('kept, whole');
  });
});
