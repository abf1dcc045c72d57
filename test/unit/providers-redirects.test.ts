/**
 * Downloads of provider-hosted results follow redirects (a signed blob URL answering 302 to its CDN is common),
 * as the global fetch did before the default transport became node:http: inside the transport itself, so a
 * download loads no undici (bundle-no-undici.test.ts), with fetch's rules: at most 20 hops, relative Locations
 * resolved, credentials never carried to another origin. Provider API calls (POSTs, and any request not asking
 * `redirect: 'follow'`) still answer their 3xx. Over loopback TCP: two origins are two ports.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../layers/core/errors.ts';
import { fetchResult, type MediaEndpoint } from '../../layers/providers/http/media-call.ts';
import { createNodeFetch, MAX_REDIRECTS, nodeFetch } from '../../layers/providers/http/node-fetch.ts';
import { downloadBytes } from '../../layers/providers/openai/media/download.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingMessage['headers'];
}

const servers: Server[] = [];

const serve = async (handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> => {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    req.resume();
    req.on('end', () => handle(req, res));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
};

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

/** A result host whose signed URL redirects to where the bytes are. */
const signedResult = () =>
  serve((req, res) => {
    if (req.url === '/signed/image.png?sig=abc') res.writeHead(302, { location: '/cdn/image.png' }).end('moved');
    else if (req.url === '/cdn/image.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    else res.writeHead(404).end();
  });

const transport: ProviderTransport = { baseURL: 'http://unused.test', apiKey: () => 'k' };
const endpoint: MediaEndpoint = { provider: 'fireworks', transport, toError: async () => new UpstreamError(502, 'upstream_unavailable', 'unused') };
const call = () => ({ signal: new AbortController().signal, requestId: 'req_redirect' });

/** A fallback that fails the test if the transport hands a request to the global fetch (which loads undici). */
const noFallback = createNodeFetch({
  fallback: () => {
    throw new Error('handed to the global fetch');
  },
});

describe('result downloads follow redirects', () => {
  it('fetchResult follows a signed URL’s 302 to the bytes (it failed as 502 when the transport answered the 302)', async () => {
    const { url, seen } = await signedResult();
    const result = await fetchResult(endpoint, `${url}/signed/image.png?sig=abc`, call());
    expect(Buffer.from(result.data)).toEqual(PNG);
    expect(result.mediaType).toBe('image/png');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /signed/image.png?sig=abc', 'GET /cdn/image.png']);
  });

  it('downloadBytes (OpenAI image URLs) follows it too', async () => {
    const { url } = await signedResult();
    const result = await downloadBytes(`${url}/signed/image.png?sig=abc`, transport, call(), 1024);
    expect(Buffer.from(result.data)).toEqual(PNG);
    expect(result.mediaType).toBe('image/png');
  });
});

describe("nodeFetch with redirect: 'follow' on a body-less GET", () => {
  it('follows 301, 302, 303, 307 and 308 over node:http itself, keeping GET, never handing the request to the global fetch', async () => {
    const { url, seen } = await serve((req, res) => {
      const hop: Record<string, [number, string]> = { '/a': [301, '/b'], '/b': [302, 'c'], '/c': [303, '/d?x=1'], '/d?x=1': [307, '/e'], '/e': [308, '/done'] };
      const next = hop[req.url ?? ''];
      if (next) res.writeHead(next[0], { location: next[1] }).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end(`at ${req.url}`);
    });
    const response = await noFallback(`${url}/a`, { redirect: 'follow', headers: { authorization: 'Bearer same-origin' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('at /done');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /a', 'GET /b', 'GET /c', 'GET /d?x=1', 'GET /e', 'GET /done']);
    // The same origin all along: the credential goes with every hop, as fetch sends it.
    expect(seen.every((r) => r.headers.authorization === 'Bearer same-origin')).toBe(true);
  });

  it('does not carry the Authorization (or Cookie) header to another origin', async () => {
    const cdn = await serve((_req, res) => res.writeHead(200).end('bytes'));
    const origin = await serve((_req, res) => res.writeHead(302, { location: `${cdn.url}/blob` }).end());
    const response = await noFallback(`${origin.url}/result`, { method: 'GET', redirect: 'follow', headers: { Authorization: 'Bearer secret', cookie: 'session=1', 'x-trace': 't' } });
    expect(await response.text()).toBe('bytes');
    expect(origin.seen[0]!.headers).toMatchObject({ authorization: 'Bearer secret', cookie: 'session=1' });
    expect(cdn.seen).toHaveLength(1);
    expect(cdn.seen[0]!.headers.authorization).toBeUndefined();
    expect(cdn.seen[0]!.headers.cookie).toBeUndefined();
    expect(cdn.seen[0]!.headers['x-trace']).toBe('t');
  });

  it(`gives up on a redirect loop after ${MAX_REDIRECTS} redirects with a TypeError saying so, as fetch does`, async () => {
    const { url, seen } = await serve((_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const failure = await noFallback(`${url}/loop`, { redirect: 'follow' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect(String((failure as TypeError).cause)).toMatch(/more than 20 redirects/);
    expect(seen).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('a result download caught in a loop is the provider’s failure (502), not a hang', async () => {
    const { url } = await serve((_req, res) => res.writeHead(302, { location: '/loop' }).end());
    const failure = await fetchResult({ ...endpoint, transport: { ...transport, maxRetries: 0 } }, `${url}/loop`, call()).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ status: 502 });
  });

  it('refuses a redirect to a scheme it cannot fetch', async () => {
    const { url } = await serve((_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
    await expect(noFallback(url, { redirect: 'follow' })).rejects.toMatchObject({ name: 'TypeError', cause: expect.objectContaining({ message: expect.stringMatching(/file:/) }) });
  });

  it('stops where it is when the caller aborts between hops, rejecting with the signal’s reason', async () => {
    const { url, seen } = await serve((req, res) => {
      if (req.url === '/start') res.writeHead(302, { location: '/stall' }).end();
      // /stall never answers.
    });
    const controller = new AbortController();
    const pending = noFallback(`${url}/start`, { redirect: 'follow', signal: controller.signal });
    for (let i = 0; i < 500 && seen.length < 2; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(seen.map((r) => r.url)).toEqual(['/start', '/stall']);
    const reason = new DOMException('gone', 'AbortError');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('answers a 3xx without a Location as it is', async () => {
    const { url } = await serve((_req, res) => res.writeHead(302).end('nowhere'));
    const response = await noFallback(url, { redirect: 'follow' });
    expect(response.status).toBe(302);
    expect(await response.text()).toBe('nowhere');
  });
});

describe('provider API calls do not follow redirects', () => {
  it('answers a POST’s 302 (or a GET not asking to follow) with the 3xx itself', async () => {
    const { url, seen } = await serve((_req, res) => res.writeHead(302, { location: '/elsewhere' }).end());
    expect((await nodeFetch(`${url}/v1/images/generations`, { method: 'POST', body: '{}' })).status).toBe(302);
    expect((await nodeFetch(`${url}/v1/models`)).status).toBe(302);
    expect(seen.map((r) => r.url)).toEqual(['/v1/images/generations', '/v1/models']);
  });
});
