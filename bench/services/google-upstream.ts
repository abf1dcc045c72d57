/**
 * The loopback upstream of the gemini-vertex section: the same directives, markers and timing as upstream.ts
 * (`chunks=N gap=MS` in the last user text; content chunk i is `[c<i>]`, streamed ones stamped
 * `[c<i>@<epoch ms>]`), spoken in Google's generateContent wire format on both APIs that use it:
 *
 * - Gemini (Generative Language API): `POST /v1beta/models/{model}:generateContent` and
 *   `:streamGenerateContent?alt=sse`, key in x-goog-api-key.
 * - Vertex AI: `POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:…`, bearer token, and an OAuth
 *   token endpoint at `POST /token` that issues a token for any assertion (the signature is not checked: the
 *   gateway's signing cost is still paid, on its side, once per token lifetime).
 *
 * Streamed: one SSE event `data: {GenerateContentResponse}` per chunk, chunk i at i×gap, then after one more gap
 * a last event with finishReason STOP and the complete usageMetadata. Not streamed: one GenerateContentResponse.
 *
 * `node bench/services/google-upstream.ts` prints its URL as a ready line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from '../lib/child.ts';
import { marker, parseDirective, stampedMarker } from './upstream.ts';

export const BENCH_GEMINI_KEY = 'bench-gemini-key';
export const BENCH_VERTEX_TOKEN = 'ya29.bench-token';

const ROUTE = /^\/(?:v1beta\/models\/([^/:]+)|v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+)):(generateContent|streamGenerateContent)$/;

interface GoogleBody {
  readonly contents?: ReadonlyArray<{ readonly role?: string; readonly parts?: ReadonlyArray<{ readonly text?: string }> }>;
}

const lastUserText = (body: GoogleBody): string =>
  (body.contents ?? [])
    .filter((c) => c.role === undefined || c.role === 'user')
    .at(-1)
    ?.parts?.map((p) => p.text ?? '')
    .join(' ') ?? '';

const readText = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const json = (res: ServerResponse, status: number, value: unknown): void => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

const googleError = (res: ServerResponse, status: number, message: string): void =>
  json(res, status, { error: { code: status, message, status: status === 404 ? 'NOT_FOUND' : status === 401 ? 'UNAUTHENTICATED' : 'INVALID_ARGUMENT' } });

let sequence = 0;
const PROMPT_TOKENS = 12;

const response = (model: string, id: string, text: string, finish: boolean, candidatesTokens: number) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
  usageMetadata: finish
    ? { promptTokenCount: PROMPT_TOKENS, candidatesTokenCount: candidatesTokens, totalTokenCount: PROMPT_TOKENS + candidatesTokens }
    : { promptTokenCount: PROMPT_TOKENS, totalTokenCount: PROMPT_TOKENS },
  modelVersion: model,
  responseId: id,
});

const stream = (req: IncomingMessage, res: ServerResponse, model: string, id: string, chunks: number, gapMs: number): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (value: unknown): string => `data: ${JSON.stringify(value)}\r\n\r\n`;
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  req.socket.once('close', () => clearTimeout(timer));
  // Each write is scheduled against the stream's start, so timer lateness never accumulates.
  const send = (i: number): void => {
    if (res.destroyed) return;
    if (i === chunks) return void res.end(event(response(model, id, '', true, chunks)));
    res.write(event(response(model, id, stampedMarker(i), false, 0)));
    if (gapMs === 0) return send(i + 1);
    timer = setTimeout(() => send(i + 1), Math.max(0, start + (i + 1) * gapMs - performance.now()));
  };
  send(0);
};

export const createGoogleUpstream = () =>
  createServer({ keepAlive: true, noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    void (async () => {
      sequence += 1;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = await readText(req);
      if (req.method === 'POST' && url.pathname === '/token') {
        return json(res, 200, { access_token: BENCH_VERTEX_TOKEN, expires_in: 3599, token_type: 'Bearer' });
      }
      const route = ROUTE.exec(url.pathname);
      if (req.method !== 'POST' || !route) return googleError(res, 404, `No route ${req.method} ${url.pathname}`);
      if (!req.headers['x-goog-api-key'] && !req.headers.authorization) return googleError(res, 401, 'Missing credentials.');
      const model = decodeURIComponent(route[1] ?? route[2] ?? 'bench-model');
      let body: GoogleBody = {};
      try {
        body = JSON.parse(text) as GoogleBody;
      } catch {
        return googleError(res, 400, 'Invalid JSON payload received.');
      }
      const { chunks, gapMs } = parseDirective(lastUserText(body));
      const id = `bench-${sequence}`;
      if (route[3] === 'streamGenerateContent') return stream(req, res, model, id, chunks, gapMs);
      json(res, 200, response(model, id, Array.from({ length: chunks }, (_, i) => marker(i)).join(''), true, chunks));
    })().catch((error: unknown) => {
      if (!res.headersSent) googleError(res, 500, String(error));
      else res.destroy();
    });
  });

if (import.meta.main) {
  const server = createGoogleUpstream();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    announceReady({ url: `http://127.0.0.1:${port}` }, () => {
      server.closeAllConnections();
      server.close();
    });
  });
}
