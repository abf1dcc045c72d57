/**
 * The socket-free transport adapter tests use (test/support/in-memory-http.ts): a node:http server that never
 * listens, reached by the provider transport over in-memory connections, behaves as over loopback TCP where an
 * adapter can tell: status and headers, a body streamed chunk by chunk, hang-ups either way, keep-alive reuse,
 * form and stream bodies through Node's fetch, and no other host reachable.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hostSimulator, type SimulatorHost } from '../../infra/local/simulators/host.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let host: SimulatorHost | undefined;
let link: InMemoryHttp | undefined;

const serve = async (handle: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void, configure: (server: ReturnType<typeof createServer>) => void = () => undefined) => {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  configure(server);
  host = await hostSimulator(server, 'memory', { listen: false });
  link = inMemoryHttp({ url: host.origin, accept: host.accept });
  return { url: host.origin, fetch: link.fetch, link };
};

afterEach(async () => {
  link?.close();
  await host?.close();
  link = undefined;
  host = undefined;
});

/** A promise the test resolves when it has seen what it waits for. */
const gate = () => {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
};

describe('in-memory HTTP, the adapter tests’ transport', () => {
  it('carries the method, headers and body out, and status, headers and body back', async () => {
    const { url, fetch } = await serve((req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'r1' });
      res.end(JSON.stringify({ method: req.method, path: req.url, auth: req.headers.authorization, body: body.toString() }));
    });
    const response = await fetch(`${url}/v1/chat?x=1`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(await response.json()).toEqual({ method: 'POST', path: '/v1/chat?x=1', auth: 'Bearer k', body: '{"a":1}' });
  });

  it('delivers a streamed body chunk by chunk, each before the server has written the next', async () => {
    const next = gate();
    const { url, fetch } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      void next.opened.then(() => res.end('data: two\n\n'));
    });
    const reader = (await fetch(url, { method: 'POST', body: '{}' })).body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    next.open();
    const second = await reader.read();
    expect(new TextDecoder().decode(second.value)).toBe('data: two\n\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('reaches the server as a close when the client aborts mid-body, and frees the connection', async () => {
    const closed = gate();
    let finished: boolean | undefined;
    const { url, fetch, link } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      res.once('close', () => {
        finished = res.writableFinished;
        closed.open();
      });
    });
    const controller = new AbortController();
    const response = await fetch(url, { method: 'POST', body: '{}', signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort(new Error('client hung up'));
    await closed.opened;
    expect(finished).toBe(false);
    await expect(reader.read()).rejects.toThrow('client hung up');
    await vi.waitFor(() => expect(link.connections().open).toBe(0), { timeout: 5_000 });
  });

  it('reaches the server as a close when the client aborts before the answer, and rejects with the reason', async () => {
    const arrived = gate();
    const closed = gate();
    const { url, fetch } = await serve((_req, res) => {
      res.once('close', closed.open);
      arrived.open();
    });
    const controller = new AbortController();
    const pending = fetch(url, { method: 'POST', body: '{}', signal: controller.signal });
    await arrived.opened;
    controller.abort(new Error('gave up waiting'));
    await expect(pending).rejects.toThrow('gave up waiting');
    await closed.opened;
  });

  it('reaches the server as a close when the client cancels the body reader', async () => {
    const closed = gate();
    const { url, fetch } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('part');
      res.once('close', closed.open);
    });
    const response = await fetch(url, { method: 'POST', body: '{}' });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await closed.opened;
  });

  it('fails the body as TCP does when the server hangs up mid-body, after what it sent', async () => {
    const { url, fetch } = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n', () => req.socket.destroy());
    });
    const reader = (await fetch(url, { method: 'POST', body: '{}' })).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: one\n\n');
    await expect(reader.read()).rejects.toThrow();
  });

  it('fails the call as a hang-up when the server closes before answering', async () => {
    const { url, fetch } = await serve((req) => req.socket.destroy());
    const failure = await fetch(url, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'TypeError', cause: expect.objectContaining({ code: 'ECONNRESET' }) });
  });

  it('reuses a kept-alive connection for the next request, as the production agent does', async () => {
    const { url, fetch, link } = await serve((_req, res) => res.end('ok'));
    for (let i = 0; i < 3; i += 1) expect(await (await fetch(url, { method: 'POST', body: '{}' })).text()).toBe('ok');
    expect(link.connections()).toEqual({ opened: 1, open: 1 });
  });

  it('closes a kept-alive connection once idle as long as the server announced (the agent’s idle timer), then opens a new one', async () => {
    const { url, fetch, link } = await serve(
      (_req, res) => res.end('ok'),
      (server) => {
        // Announced as `Keep-Alive: timeout=2`: the agent keeps the connection and closes it a second early, idle.
        server.keepAliveTimeout = 2_000;
      },
    );
    await (await fetch(url, { method: 'POST', body: '{}' })).text();
    expect(link.connections()).toEqual({ opened: 1, open: 1 });
    await vi.waitFor(() => expect(link.connections().open).toBe(0), { timeout: 10_000, interval: 50 });
    expect(await (await fetch(url, { method: 'POST', body: '{}' })).text()).toBe('ok');
    expect(link.connections().opened).toBe(2);
  });

  it('sends form and stream bodies through Node’s fetch, over the same in-memory connections', async () => {
    const { url, fetch, link } = await serve((req, res, body) => res.end(JSON.stringify({ type: req.headers['content-type'], length: req.headers['content-length'], body: body.toString() })));
    const form = new FormData();
    form.append('model', 'whisper-1');
    form.append('file', new Blob(['RIFF']), 'a.wav');
    const sentForm = (await (await fetch(url, { method: 'POST', body: form })).json()) as { type: string; body: string };
    expect(sentForm.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(sentForm.body).toContain('name="file"; filename="a.wav"');
    const stream = ReadableStream.from([new TextEncoder().encode('ab'), new TextEncoder().encode('cd')]);
    const sentStream = await (await fetch(url, { method: 'POST', body: stream, headers: { 'content-length': '4' }, duplex: 'half' } as RequestInit)).json();
    expect(sentStream).toMatchObject({ length: '4', body: 'abcd' });
    expect(link.connections().opened).toBeGreaterThanOrEqual(1);
  });

  it('reaches several servers, each by the host of its URL', async () => {
    const answering = async (name: string) => {
      const server = createServer((_req, res) => res.end(name));
      return hostSimulator(server, name, { listen: false });
    };
    const [first, second] = await Promise.all([answering('first'), answering('second')]);
    const both = inMemoryHttp({ url: first.origin, accept: first.accept }, { url: second.origin, accept: second.accept });
    try {
      expect(await (await both.fetch(`${first.origin}/x`)).text()).toBe('first');
      expect(await (await both.fetch(`${second.origin}/x`)).text()).toBe('second');
      expect(both.connections().opened).toBe(2);
    } finally {
      both.close();
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('reaches no other host: a request elsewhere is refused, as a connect to a closed port', async () => {
    const { fetch } = await serve((_req, res) => res.end('ok'));
    await expect(fetch('http://elsewhere.test/v1', { method: 'POST', body: '{}' })).rejects.toMatchObject({ name: 'TypeError', cause: expect.objectContaining({ code: 'ECONNREFUSED' }) });
    const form = new FormData();
    form.append('a', 'b');
    await expect(fetch('http://elsewhere.test/v1', { method: 'POST', body: form })).rejects.toMatchObject({ name: 'TypeError' });
  });

  it('closes every open connection on close(), and the server sees its client go', async () => {
    const closed = gate();
    const { url, fetch, link } = await serve((_req, res) => {
      res.writeHead(200);
      res.write('held');
      res.once('close', closed.open);
    });
    await (await fetch(url, { method: 'POST', body: '{}' })).body!.getReader().read();
    link.close();
    await closed.opened;
    expect(link.connections().open).toBe(0);
  });
});
