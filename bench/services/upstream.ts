/**
 * The loopback upstream every path of the gateway benchmark calls: a minimal Chat Completions server whose
 * timing the bench controls exactly. The last user message carries the directives, because it is the one
 * thing the gateway forwards unchanged: `chunks=N` content chunks, `gap=MS` between them. Content chunk i is
 * the marker `[c<i>]`, so the client can tell which upstream chunk arrived in which read; streamed markers also
 * carry the wall-clock time the chunk was written, `[c<i>@<epoch ms>]`, so the client can tell how long each
 * chunk took to reach it (same machine, same clock).
 *
 * Streamed: chunk 0 (with the assistant role) is written as soon as the request is read, chunk i at
 * i×gap after it, then after one more gap the finish chunk, the usage chunk and `data: [DONE]`.
 * Not streamed: one chat.completion whose content is all the markers.
 *
 * Run as a child process: `node bench/services/upstream.ts` prints its URL as a ready line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from '../lib/child.ts';

const MAX_CHUNKS = 1_000;
const MAX_GAP_MS = 1_000;

export const marker = (i: number): string => `[c${i}]`;

/** Epoch ms with sub-millisecond precision, comparable between processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

export const stampedMarker = (i: number): string => `[c${i}@${epochMs().toFixed(3)}]`;

/** Builds the user message that asks the upstream for `chunks` chunks `gapMs` apart. */
export const directive = (chunks: number, gapMs: number): string => `bench chunks=${chunks} gap=${gapMs}`;

export const parseDirective = (text: string): { chunks: number; gapMs: number } => {
  const chunks = Number(/chunks=(\d+)/.exec(text)?.[1] ?? 1);
  const gapMs = Number(/gap=(\d+(?:\.\d+)?)/.exec(text)?.[1] ?? 0);
  return { chunks: Math.min(Math.max(chunks, 1), MAX_CHUNKS), gapMs: Math.min(gapMs, MAX_GAP_MS) };
};

const lastUserText = (body: Record<string, unknown>): string => {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as Array<Record<string, unknown>>) : [];
  const user = messages.filter((m) => m['role'] === 'user').at(-1);
  const content = user?.['content'];
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part: Record<string, unknown>) => String(part['text'] ?? '')).join(' ');
  return '';
};

const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
};

let sequence = 0;

const usage = (chunks: number) => ({ prompt_tokens: 12, completion_tokens: chunks, total_tokens: 12 + chunks });

const json = (res: ServerResponse, status: number, value: unknown): void => {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': `req_bench_${sequence}` });
  res.end(body);
};

const completion = (id: string, model: string, chunks: number) => ({
  id,
  object: 'chat.completion',
  created: Math.floor(Date.now() / 1000),
  model,
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: Array.from({ length: chunks }, (_, i) => marker(i)).join(''), refusal: null },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: usage(chunks),
  system_fingerprint: 'fp_bench',
});

const stream = (req: IncomingMessage, res: ServerResponse, id: string, model: string, chunks: number, gapMs: number, includeUsage: boolean): void => {
  const created = Math.floor(Date.now() / 1000);
  const frame = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_bench', choices, ...extra })}\n\n`;
  const content = (i: number): string =>
    frame([{ index: 0, delta: i === 0 ? { role: 'assistant', content: stampedMarker(0) } : { content: stampedMarker(i) }, logprobs: null, finish_reason: null }]);

  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_bench_${sequence}` });
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  req.socket.once('close', () => clearTimeout(timer));

  const finish = (): void => {
    let tail = frame([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
    if (includeUsage) tail += frame([], { usage: usage(chunks) });
    res.end(`${tail}data: [DONE]\n\n`);
  };
  // Each write is scheduled against the stream's start, so timer lateness never accumulates.
  const send = (i: number): void => {
    if (res.destroyed) return;
    if (i === chunks) return finish();
    res.write(content(i));
    const due = start + (i + 1) * gapMs;
    if (gapMs === 0) return send(i + 1);
    timer = setTimeout(() => send(i + 1), Math.max(0, due - performance.now()));
  };
  send(0);
};

export const createUpstream = () =>
  createServer({ keepAlive: true, noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    void (async () => {
      sequence += 1;
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        return json(res, 404, { error: { message: `No route ${req.method} ${req.url}`, type: 'invalid_request_error', code: 'not_found' } });
      }
      const body = await readBody(req);
      const { chunks, gapMs } = parseDirective(lastUserText(body));
      const model = typeof body['model'] === 'string' ? body['model'] : 'bench-model';
      const id = `chatcmpl-bench${sequence}`;
      if (body['stream'] === true) {
        const options = body['stream_options'] as { include_usage?: boolean } | undefined;
        return stream(req, res, id, model, chunks, gapMs, options?.include_usage === true);
      }
      json(res, 200, completion(id, model, chunks));
    })().catch((error: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { message: String(error), type: 'server_error' } });
      else res.destroy();
    });
  });

if (import.meta.main) {
  const server = createUpstream();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    announceReady({ url: `http://127.0.0.1:${port}` }, () => {
      server.closeAllConnections();
      server.close();
    });
  });
}
