/**
 * The local server's decoding of Lambda's response-streaming protocol (prelude, eight NUL bytes, body). An answer
 * the handler writes whole within one turn of the event loop leaves as one whole HTTP answer with its length; a
 * stream's later writes leave as they are written, the head never held back waiting for them; a handler that
 * fails after its prelude cuts its answer short, as an invocation error does behind API Gateway.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime.ts';
import { createLocalServer, type FamilyHandlers } from '../../infra/local/server.ts';
import { FAMILIES } from '../../shared/routes.ts';

installLambdaGlobals();
const lambda = (globalThis as unknown as {
  awslambda: {
    streamifyResponse<T>(handler: T): T;
    HttpResponseStream: { from(stream: Writable, metadata: { statusCode: number; headers?: Record<string, string> }): Writable };
  };
}).awslambda;

/** A gate the streaming handler waits on before its second chunk, opened by the test once it has the head. */
let openGate: () => void = () => undefined;

const handler = lambda.streamifyResponse(async (event: { path: string }, stream: Writable) => {
  if (event.path === '/whole') {
    const out = lambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'content-type': 'application/json' } });
    out.write('{"answer":');
    out.write('"all of it"}');
    out.end();
    return;
  }
  if (event.path === '/mixed') {
    // Strings, bytes and a string in another encoding, as a handler may write them: one answer, its bytes exact.
    const out = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    out.write('héllo ✓ ');
    out.write(Buffer.from([0xf0, 0x9f, 0x98, 0x80]));
    out.write(Buffer.from(' über').toString('base64'), 'base64');
    out.end();
    return;
  }
  if (event.path === '/slow-stream') {
    // The prelude alone, then nothing until the gate opens: a provider slow to its first event.
    const out = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'Content-Type': 'Text/Event-Stream; charset=utf-8' } });
    await new Promise<void>((resolve) => (openGate = resolve));
    out.write('data: late\n\n');
    out.end();
    return;
  }
  if (event.path === '/finale') {
    // A stream's last events and its end, written together in a later turn, as the paid-stream engine closes.
    const out = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'text/event-stream' } });
    out.write('data: a\n\n');
    await new Promise<void>((resolve) => (openGate = resolve));
    out.write('data: b\n\n');
    out.write('data: [DONE]\n\n');
    out.end();
    return;
  }
  if (event.path === '/stream' || event.path === '/audio') {
    const contentType = event.path === '/stream' ? 'text/event-stream' : 'audio/mpeg';
    const out = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': contentType } });
    out.write('data: first\n\n');
    await new Promise<void>((resolve) => (openGate = resolve));
    out.write('data: second\n\n');
    out.end();
    return;
  }
  lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'application/json' } }).write('{"partial":');
  throw new Error('the handler failed after its prelude');
});

const server = createLocalServer(Object.fromEntries(Object.keys(FAMILIES).map((family) => [family, handler])) as unknown as FamilyHandlers, { stage: 'local' });
let port: number;
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const get = (path: string) =>
  new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, resolve);
    req.on('error', reject);
    req.end();
  });

const readAll = async (res: import('node:http').IncomingMessage): Promise<string> => {
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return text;
};

describe('the local server answering a response-streaming handler', () => {
  it('counts the bytes, not the characters, of a whole answer written as strings, bytes and base64', async () => {
    const res = await get('/mixed');
    const expected = Buffer.concat([Buffer.from('héllo ✓ '), Buffer.from([0xf0, 0x9f, 0x98, 0x80]), Buffer.from(' über')]);
    expect(res.headers['content-length']).toBe(String(expected.length));
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(expected)).toBe(true);
  });

  it('sends an answer written whole in one turn with its status, headers and content-length', async () => {
    const res = await get('/whole');
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['content-length']).toBe(String('{"answer":"all of it"}'.length));
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(await readAll(res)).toBe('{"answer":"all of it"}');
  });

  it.each([
    ['an event stream', '/stream'],
    ['a streamed audio answer', '/audio'],
  ])('sends %s’s head and first chunk without waiting for the rest, chunked', async (_, path) => {
    const res = await get(path);
    // The handler is still waiting on the gate: the head and the first event came on their own.
    expect(res.statusCode).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const [first] = (await once(res, 'data')) as [Buffer];
    expect(String(first)).toBe('data: first\n\n');
    openGate();
    expect(await readAll(res)).toBe('data: second\n\n');
  });

  it('keeps each event an HTTP chunk of its own, those written together and the last ones included', async () => {
    // A raw connection: the body's chunked framing as it is on the wire.
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /finale HTTP/1.1\r\nhost: local\r\nconnection: close\r\n\r\n');
    let raw = '';
    socket.setEncoding('latin1').on('data', (text: string) => {
      raw += text;
      if (raw.includes('data: a')) openGate();
    });
    await once(socket, 'end');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const chunks: string[] = [];
    for (let rest = body; ; ) {
      const lineEnd = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.slice(0, lineEnd), 16);
      if (size === 0) break;
      chunks.push(rest.slice(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    expect(chunks).toEqual(['data: a\n\n', 'data: b\n\n', 'data: [DONE]\n\n']);
  });

  it('sends an event stream’s head at once when its first event is late, not waiting for it', async () => {
    const res = await get('/slow-stream');
    // The handler is still waiting on the gate: the head came on its own.
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('Text/Event-Stream; charset=utf-8');
    openGate();
    expect(await readAll(res)).toBe('data: late\n\n');
  });

  it('cuts the answer short when the handler fails after its prelude, instead of answering a 502 over it', async () => {
    const res = await get('/fails');
    expect(res.statusCode).toBe(200);
    await expect(readAll(res)).rejects.toThrow(/aborted/);
  });
});
