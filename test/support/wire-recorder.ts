/**
 * A loopback recorder in front of a simulator: every request is captured (method, path, query, headers, body
 * parsed as JSON, multipart parts or bytes) and forwarded to the simulator, whose answer goes back unchanged. The
 * official SDKs and the gateway's adapters are pointed at it for the same operation, and `wireDiff` compares the
 * two captures, so a drift between them fails a test instead of a production call.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MultipartPart {
  readonly name: string;
  /** Text fields: the value; files: `{filename, type, bytes}`. */
  readonly value: string | { readonly filename: string; readonly type: string; readonly bytes: number };
}

export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly contentType: string;
  /** JSON bodies parsed; multipart as its parts in order; other bodies as their byte count. */
  readonly body: unknown;
}

export interface WireRecorder {
  /** `http://127.0.0.1:<port>`: the origin to point a client at (with the simulator's own path after it). */
  readonly origin: string;
  readonly captured: CapturedRequest[];
  /** The requests captured while `run` ran. */
  during(run: () => Promise<unknown>): Promise<CapturedRequest[]>;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const parseBody = async (body: Buffer, contentType: string): Promise<unknown> => {
  if (body.length === 0) return undefined;
  if (/json/i.test(contentType)) {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      return `<invalid JSON: ${body.length} bytes>`;
    }
  }
  if (/^multipart\/form-data/i.test(contentType)) {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const parts: MultipartPart[] = [];
    for (const [name, value] of form.entries()) {
      parts.push({ name, value: typeof value === 'string' ? value : { filename: value.name, type: value.type, bytes: value.size } });
    }
    return parts;
  }
  return { bytes: body.length };
};

const queryOf = (url: URL): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
};

/** Hop-by-hop and transport headers the recorder must not copy onto the forwarded request. */
const DROPPED = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'expect']);

export const startWireRecorder = async (target: string): Promise<WireRecorder> => {
  const captured: CapturedRequest[] = [];
  // Kept now: a test may stub the global fetch with one that points back at this recorder.
  const forward = globalThis.fetch;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://recorder');
      const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([name, value]) => (value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]])));
      const contentType = headers['content-type'] ?? '';
      captured.push({ method: req.method ?? 'GET', path: url.pathname, query: queryOf(url), headers, contentType, body: await parseBody(body, contentType) });
      const forwarded = Object.fromEntries(Object.entries(headers).filter(([name]) => !DROPPED.has(name)));
      const method = req.method ?? 'GET';
      const answer = await forward(`${target}${url.pathname}${url.search}`, { method, headers: forwarded, ...(method === 'GET' || method === 'HEAD' ? {} : { body }), redirect: 'manual' });
      const answerHeaders: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!DROPPED.has(name) && name !== 'content-encoding') answerHeaders[name] = value;
      });
      res.writeHead(answer.status, answerHeaders);
      if (answer.body) for await (const chunk of answer.body) res.write(chunk);
      res.end();
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`recorder: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    captured,
    async during(run) {
      const from = captured.length;
      await run();
      return captured.slice(from);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/**
 * A fetch for SDKs that hard-code their host: every request goes to `origin` instead, same path and query.
 * Only loopback origins are accepted, so a test can never reach the internet through it.
 */
export const fetchRewritingTo = (origin: string, base: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch => {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`fetchRewritingTo takes a loopback origin, not ${origin}`);
  return async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    const target = `${origin}${url.pathname}${url.search}`;
    if (request) return base(new Request(target, request), init);
    return base(target, init);
  };
};

export interface WireView {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, unknown>>;
  /** Only the headers that carry meaning on the wire: auth, versions, content kind. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** The headers worth comparing: credentials, API versions and the body's kind (multipart boundaries removed). */
export const MEANINGFUL_HEADERS = ['authorization', 'api-key', 'x-api-key', 'xi-api-key', 'x-goog-api-key', 'cartesia-version', 'content-type'];

export const view = (request: CapturedRequest, headers: readonly string[] = MEANINGFUL_HEADERS): WireView => ({
  method: request.method,
  path: request.path,
  query: request.query,
  headers: Object.fromEntries(
    headers.flatMap((name) => {
      const value = request.headers[name];
      if (value === undefined) return [];
      return [[name, name === 'content-type' ? value.split(';')[0]!.trim().toLowerCase() : value]];
    }),
  ),
  body: request.body,
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: unknown): string => (value === undefined ? 'absent' : JSON.stringify(value));

/** Every place the two captures differ, as `where: sdk → ours` lines; multipart parts are compared by name. */
export const wireDiff = (sdk: CapturedRequest, ours: CapturedRequest, headers: readonly string[] = MEANINGFUL_HEADERS): string[] => {
  const a = view(sdk, headers);
  const b = view(ours, headers);
  const out: string[] = [];
  const walk = (where: string, x: unknown, y: unknown): void => {
    if (isObject(x) && isObject(y)) {
      for (const key of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) walk(where ? `${where}.${key}` : key, x[key], y[key]);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      for (const [index, item] of x.entries()) walk(`${where}[${index}]`, item, y[index]);
      return;
    }
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${where}: ${describe(x)} → ${describe(y)}`);
  };
  walk('method', a.method, b.method);
  walk('path', a.path, b.path);
  walk('query', a.query, b.query);
  walk('header', a.headers, b.headers);
  const partsOf = (body: unknown): Record<string, unknown> | undefined =>
    Array.isArray(body) && body.every((part) => isObject(part) && typeof part['name'] === 'string')
      ? Object.fromEntries(
          Object.entries(
            Object.groupBy(body as MultipartPart[], (part) => part.name),
          ).map(([name, parts = []]) => [name, parts.length === 1 ? parts[0]!.value : parts.map((part) => part.value)]),
        )
      : undefined;
  const bodyA = partsOf(a.body) ?? a.body;
  const bodyB = partsOf(b.body) ?? b.body;
  walk('body', bodyA, bodyB);
  return out;
};
