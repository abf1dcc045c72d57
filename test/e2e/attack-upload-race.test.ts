/**
 * Attack: an upload replaced while a transcription reads it. Reads pin the ETag the call first saw, so the
 * replaced file is refused rather than read half old, half new — and the caller is told so with the
 * documented 409 `upload_changed`, not a 502 "provider unreachable" (the refusal happens inside the provider
 * request's body, where it used to pass for a connection failure). Nothing is charged.
 *
 * To replace the file at a known moment, the provider sits behind a pass-through whose first answer waits for
 * the test and is a 500: the gateway's retry opens the upload again, after the replacement.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { wavBytes } from '../support/media-e2e.ts';
import { startKeysRuntime, type KeysRuntime } from '../support/payments.ts';

let simulator: OpenAICompatibleSimulator;
let gw: KeysRuntime;
let proxy: ReturnType<typeof createServer>;
let waiting = 0;
let open!: () => void;
const gate = new Promise<void>((resolve) => (open = resolve));
let failedOnce = false;

const readAll = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** First transcription: read it whole, wait for the test, answer 500. Everything else: the simulator's answer. */
const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const body = await readAll(req).catch(() => undefined);
  if (body === undefined) return void res.destroy();
  if (!failedOnce && req.url?.includes('/audio/transcriptions')) {
    failedOnce = true;
    waiting += 1;
    await gate;
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'try again', type: 'server_error', code: null } }));
    return;
  }
  const target = new URL(simulator.url);
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !['host', 'content-length', 'connection', 'transfer-encoding'].includes(name))) as Record<string, string>;
  const answer = await fetch(`${target.origin}${req.url}`, { method: req.method!, headers, body });
  res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
  res.end(Buffer.from(await answer.arrayBuffer()));
};

beforeAll(async () => {
  simulator = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: 'sk-upload-race' });
  proxy = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const throughProxy = { ...simulator, url: `${origin}${new URL(simulator.url).pathname}` };
  gw = await startKeysRuntime({ env: { ...simulatorEnv('openai', throughProxy), PROVIDER_MAX_RETRIES: '1' } });
});
afterAll(async () => {
  open();
  await gw?.close();
  await new Promise((resolve) => proxy?.close(resolve));
  await simulator?.close();
});

it('a transcription whose upload is replaced mid-call is a 409 upload_changed, charged nothing', async () => {
  const key = await gw.mintKey({ budget: 1_000_000n });
  const auth = { authorization: `Bearer ${key.token}` };
  const original = wavBytes(3);
  const created = await gw.post('/v1/uploads', { filename: 'a.wav', content_type: 'audio/wav', bytes: original.length, purpose: 'transcription' }, auth);
  expect(created.status).toBe(201);
  const upload = (await created.json()) as { id: string; upload_url: string; method: string; headers: Record<string, string> };
  const put = (data: Buffer) => fetch(upload.upload_url, { method: upload.method, headers: upload.headers, body: data });
  expect((await put(original)).status).toBe(200);

  const call = gw.post('/v1/audio/transcriptions', { model: 'whisper-1', file_id: upload.id }, auth);
  // The provider has read the file once; now it is replaced (same size, other bytes), before the call reads it again.
  await vi.waitFor(() => expect(waiting).toBe(1), { timeout: 20_000, interval: 20 });
  const replacement = Buffer.from(original);
  replacement.fill(7, 44);
  expect((await put(replacement)).status).toBe(200);
  open();

  const response = await call;
  const body = (await response.json()) as { error?: { code: string; param?: string; type: string } };
  expect({ status: response.status, error: body.error }).toMatchObject({ status: 409, error: { code: 'upload_changed', param: 'file_id', type: 'invalid_request_error' } });
  const ledger = (await gw.ledger.getLedger(key.keyId))!;
  expect({ spent: ledger.spent, reserved: ledger.reserved, open: ledger.reservations.length }).toEqual({ spent: 0n, reserved: 0n, open: 0 });
});
