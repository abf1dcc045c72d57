/**
 * The default transport of provider calls: `fetch`'s call shape over Node's own HTTP client, for requests whose
 * body is text or bytes, answering a `ProviderResponse` (node-response.ts) read straight off Node's response
 * stream. Node's global fetch (undici's Fetch-standard machinery) costs about 0.25 ms more CPU per call than
 * `node:http` for the same request (npm run bench, lambda-cpu section): Request and header-list objects, a web
 * stream for the request body written in separate socket writes, and its own body stream per response. And
 * merely touching `Response`, `Headers` or `fetch` loads Node's bundled undici, 35–47 ms of CPU at a cold start:
 * nothing here does. `node:http` is already loaded by the Lambda runtime's own client; the `undici` package's
 * `request` would be as cheap per call but costs 150-200 ms to load at cold start.
 *
 * node:http and node:https come from `process.getBuiltinModule`, not an `import`: imported as an ES module,
 * node:http gets a facade that reads every export once, its lazy `WebSocket` among them, which loads undici.
 *
 * Differences from `fetch` a provider call cannot see: redirects are followed only when the caller asks
 * `redirect: 'follow'` for a body-less GET (a download of a provider-hosted result, whose signed URL often answers
 * 302 to a CDN); otherwise they are not (a provider API that redirects a POST is answered with its 3xx, which the
 * adapter reports as an upstream error: an API endpoint does not move under a gateway, and re-sending a paid
 * generation to wherever a 3xx points is not something to do unasked). Compressed answers are only decoded when the
 * provider compresses unasked (no `accept-encoding` is sent). Any other body (a stream, a form), or a redirect to
 * follow with a body, goes through the global fetch.
 *
 * `createNodeFetch` builds one with its connections opened some other way (a test's in-memory pair instead of TCP):
 * the client, its keep-alive agent and its body handling stay those of production.
 */
import type { Agent as HttpAgent, IncomingMessage } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { NodeResponse } from './node-response.ts';
import type { ProviderFetch, ProviderResponse } from './provider-response.ts';

const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

/** Idle connections are closed after this long, as undici's pool does: a provider's own idle timeout then rarely races a reuse. */
const IDLE_MS = 4_000;
const AGENT_OPTIONS = { keepAlive: true, timeout: IDLE_MS };

interface Agents {
  readonly 'http:': HttpAgent;
  readonly 'https:': HttpsAgent;
}

/** Statuses whose Response must have a null body (the Fetch standard's null body statuses). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

const decoders: Readonly<Record<string, () => NodeJS.ReadWriteStream>> = { gzip: createGunzip, 'x-gzip': createGunzip, deflate: createInflate, br: createBrotliDecompress };

/** A record, a `[name, value]` list or a `Headers` (iterable, told apart without `instanceof Headers`, which loads undici). */
const headerPairs = (init: RequestInit['headers']): Iterable<[string, string]> => {
  if (init === undefined) return [];
  if (Symbol.iterator in init) return init as Iterable<[string, string]>;
  return Object.entries(init as Record<string, string>);
};

const toResponse = (res: IncomingMessage, method: string): NodeResponse => {
  const status = res.statusCode ?? 502;
  const statusText = res.statusMessage ?? '';
  if (method === 'HEAD' || NULL_BODY.has(status)) {
    res.resume();
    return new NodeResponse(status, statusText, res.rawHeaders, null);
  }
  const decoder = decoders[String(res.headers['content-encoding'] ?? '').trim().toLowerCase()];
  const source: Readable = decoder ? (res.pipe(decoder()) as unknown as Readable) : res;
  if (decoder) {
    res.on('error', (error) => source.destroy(error));
    // A reader that cancels (a client hang-up) destroys the decoder only: the provider's connection must close too,
    // or it goes on generating into a socket nobody reads. Harmless once the answer is complete.
    source.once('close', () => res.destroy());
  }
  return new NodeResponse(status, statusText, res.rawHeaders, source);
};

/** Plain bodies are sent by `node:http` in one write with the headers; others need fetch's body handling. */
const isPlain = (body: RequestInit['body']): body is string | Uint8Array | undefined | null =>
  body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;

/** Fetch's limit on the redirects one request follows. */
export const MAX_REDIRECTS = 20;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Headers a redirect to another origin does not carry, as fetch (undici) drops them: the credential was meant for the first host. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/** A redirect that cannot be followed fails as fetch's does: a TypeError naming why, which the retry loop counts as no answer. */
const redirectFailure = (message: string): TypeError => new TypeError('fetch failed', { cause: new Error(message) });

/** One request over node:http, answered as soon as the status and headers arrive. */
const sendOnce = (agents: Agents, target: URL, method: string, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<NodeResponse> =>
  new Promise<NodeResponse>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const agent = agents[target.protocol as keyof Agents];
    const send = target.protocol === 'https:' ? https.request : http.request;
    const req = send(target, { method, headers, agent }, (res) => {
      signal?.removeEventListener('abort', onAbort);
      // From here the caller's signal ends the body, as fetch's does.
      if (signal) {
        const abortBody = () => res.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
        signal.addEventListener('abort', abortBody, { once: true });
        res.once('close', () => signal.removeEventListener('abort', abortBody));
      }
      resolve(toResponse(res, method));
    });
    const onAbort = () => {
      req.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new TypeError('fetch failed', { cause: error }));
    });
    req.end(body);
  });

/**
 * A body-less GET or HEAD following redirects as fetch does: at most `MAX_REDIRECTS` hops, a relative Location
 * resolved against the URL that sent it, the method kept (every redirect status keeps GET and HEAD), only http(s)
 * targets, and the credential headers dropped once the origin changes. A 3xx without a Location is the answer.
 */
const followRedirects = async (agents: Agents, start: URL, method: string, headers: Record<string, string>, signal: AbortSignal | undefined): Promise<ProviderResponse> => {
  let target = start;
  for (let hops = 0; ; hops += 1) {
    const response = await sendOnce(agents, target, method, headers, undefined, signal);
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) return response;
    // The redirect's own body is never read: its connection is closed rather than drained (it could be endless).
    response.discard();
    if (hops >= MAX_REDIRECTS) throw redirectFailure(`more than ${MAX_REDIRECTS} redirects, last to ${target.origin}`);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw redirectFailure('a redirect to an unreadable location');
    }
    if (!(next.protocol in agents)) throw redirectFailure(`a redirect to a ${next.protocol} URL`);
    if (next.origin !== target.origin) for (const name of ORIGIN_BOUND_HEADERS) delete headers[name];
    target = next;
  }
};

const fetchOver = (agents: Agents, fallback: ProviderFetch): ProviderFetch => (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  const body = init?.body;
  if (url === undefined || !isPlain(body)) return fallback(input, init);
  const target = new URL(url);
  if (!(target.protocol in agents)) return fallback(input, init);
  const method = (init?.method ?? 'GET').toUpperCase();
  const hasBody = body !== undefined && body !== null;
  const follow = init?.redirect === 'follow';
  // Following with a body (a 307 re-sends it) or 'error' is left to fetch.
  if (init?.redirect !== undefined && init.redirect !== 'manual' && !(follow && !hasBody && (method === 'GET' || method === 'HEAD'))) return fallback(input, init);
  const headers: Record<string, string> = {};
  for (const [name, value] of headerPairs(init?.headers)) headers[name.toLowerCase()] = value;
  headers['user-agent'] ??= 'node';
  if (hasBody) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  const signal = init?.signal ?? undefined;
  if (follow) return followRedirects(agents, target, method, headers, signal);
  return sendOnce(agents, target, method, headers, hasBody ? body : undefined, signal);
};

export interface NodeFetchOptions {
  /** Opens the connection of an http: request in place of a TCP connect, as `http.Agent#createConnection` does; the agent pools and reuses what it returns. */
  readonly connect?: HttpAgent['createConnection'];
  /** Answers what node:http does not send (stream and form bodies, redirects to follow with a body or to refuse): the global fetch by default. */
  readonly fallback?: ProviderFetch;
}

export const createNodeFetch = (options: NodeFetchOptions = {}): ProviderFetch => {
  const plain = new http.Agent(AGENT_OPTIONS);
  if (options.connect) plain.createConnection = options.connect;
  return fetchOver({ 'http:': plain, 'https:': new https.Agent(AGENT_OPTIONS) }, options.fallback ?? ((input, init) => globalThis.fetch(input, init)));
};

/** The default transport of provider calls. */
export const nodeFetch: ProviderFetch = createNodeFetch();
