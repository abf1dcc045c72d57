/**
 * Attack: request lines the local runtime's HTTP server cannot turn into a URL. `GET http://[x HTTP/1.1` (an
 * absolute-form target with an open IPv6 bracket) threw out of the request listener and ended the whole
 * `npm start` process, stand-ins included. Each is a 400 with an OpenAI-shaped body, and the server keeps serving.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as health } from '../../functions/health/handler.ts';
import { createLocalServer, type FamilyHandlers } from '../../infra/local/server.ts';
import { FAMILIES } from '../../shared/routes.ts';

const server = createLocalServer(Object.fromEntries(Object.keys(FAMILIES).map((family) => [family, health])) as unknown as FamilyHandlers, { stage: 'local' });
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

/** Sends a raw request line (no client would let us send these) and reads the whole answer. */
const rawRequest = (requestLine: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    // Without an answer (the listener threw), fail rather than wait for the test's timeout.
    socket.setTimeout(10_000, () => {
      socket.destroy();
      reject(new Error(`no answer to ${requestLine}`));
    });
    socket.write(`${requestLine}\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });

describe('request targets that are not URLs', () => {
  it.each(['GET http://[x HTTP/1.1', 'GET http://[::1/v1/models HTTP/1.1', 'DELETE http://:99999/v1/responses/x HTTP/1.1'])('%s is a 400, and the server keeps serving', async (line) => {
    const answer = await rawRequest(line);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const body = JSON.parse(answer.slice(answer.indexOf('{'), answer.lastIndexOf('}') + 1)) as { error: unknown };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request_target', message: expect.any(String) });
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });
});

/**
 * Attack: parameter names that are members of every object. A header or query parameter called `constructor`,
 * `toString` or `__proto__` found the inherited member when the event's multi-value maps were built
 * (`Object.prototype.constructor.push` is no function): every such request was a 502 before any handler ran.
 */
describe('header and query names that are object members', () => {
  const seen: { headers: Record<string, string>; multiValueHeaders: Record<string, string[]>; queryStringParameters: Record<string, string> | null; multiValueQueryStringParameters: Record<string, string[]> | null }[] = [];
  const echo = async (event: (typeof seen)[number]) => {
    seen.push(event);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
  };
  const echoServer = createLocalServer(Object.fromEntries(Object.keys(FAMILIES).map((family) => [family, echo])) as unknown as FamilyHandlers, { stage: 'local' });
  let echoPort: number;
  beforeAll(async () => {
    echoServer.listen(0, '127.0.0.1');
    await once(echoServer, 'listening');
    echoPort = (echoServer.address() as AddressInfo).port;
  });
  afterAll(() => {
    echoServer.closeAllConnections();
    return new Promise<void>((resolve) => echoServer.close(() => resolve()));
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])('%s reaches the handler as a header and a query parameter, as any name does', async (name) => {
    seen.length = 0;
    // node:http, not fetch: undici's header list silently drops a header called `__proto__`.
    const answer = request({ host: '127.0.0.1', port: echoPort, path: `/v1/models?${name}=q1&${name}=q2`, headers: ['host', 'x', name, 'h'] }).end();
    const [response] = (await once(answer, 'response')) as [import('node:http').IncomingMessage];
    response.resume();
    expect(response.statusCode).toBe(200);
    const [event] = seen;
    expect(Object.getOwnPropertyDescriptor(event!.headers, name)?.value).toBe('h');
    expect(Object.getOwnPropertyDescriptor(event!.multiValueHeaders, name)?.value).toEqual(['h']);
    expect(Object.getOwnPropertyDescriptor(event!.queryStringParameters, name)?.value).toBe('q2');
    expect(Object.getOwnPropertyDescriptor(event!.multiValueQueryStringParameters, name)?.value).toEqual(['q1', 'q2']);
    // The maps stay plain objects: a name is data, never the prototype.
    expect(Object.getPrototypeOf(event!.headers)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(event!.multiValueQueryStringParameters)).toBe(Object.prototype);
  });
});
