/**
 * Attack suite (issue 10): a revoked Compose Key stops creating anything — calls, uploads, jobs — at once, on
 * every route that creates something (the route table's paid POST routes), native and external. What it made
 * before stays readable: reading one's own records is not creating.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes.ts';
import { multipart, pngBytes, wavBytes } from '../support/media-e2e.ts';
import { expectMatchesSchema } from '../support/openapi.ts';
import { sharedPaymentsRuntime, type MintedTestKey, type PaymentsRuntime } from '../support/payments.ts';

const USD = 1_000_000n;

let gw: PaymentsRuntime;
let key: MintedTestKey;
let storedId: string;

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A body each creating route would serve (before revocation). Multipart routes get a form. */
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const BODIES: Readonly<Record<string, () => { body: string | FormData; json: boolean }>> = {
  '/v1/chat/completions': () => ({ body: JSON.stringify(chat), json: true }),
  '/api/inference': () => ({ body: JSON.stringify(chat), json: true }),
  '/v1/responses': () => ({ body: JSON.stringify({ model: 'gpt-4o-mini', input: 'hi' }), json: true }),
  '/v1/embeddings': () => ({ body: JSON.stringify({ model: 'text-embedding-3-small', input: 'hi' }), json: true }),
  '/v1/images/generations': () => ({ body: JSON.stringify({ model: 'dall-e-3', prompt: 'a cat' }), json: true }),
  '/v1/images/edits': () => ({ body: multipart({ model: 'gpt-image-1', prompt: 'add a hat' }, [{ name: 'image', data: pngBytes(64, 64), filename: 'a.png', type: 'image/png' }]), json: false }),
  '/v1/audio/speech': () => ({ body: JSON.stringify({ model: 'tts-1', input: 'Hello.', voice: 'alloy' }), json: true }),
  '/v1/audio/transcriptions': () => ({ body: multipart({ model: 'whisper-1' }, [{ name: 'file', data: wavBytes(1), filename: 'a.wav', type: 'audio/wav' }]), json: false }),
  '/v1/audio/translations': () => ({ body: multipart({ model: 'whisper-1' }, [{ name: 'file', data: wavBytes(1), filename: 'a.wav', type: 'audio/wav' }]), json: false }),
  '/v1/moderations': () => ({ body: JSON.stringify({ model: 'omni-moderation-latest', input: 'hi' }), json: true }),
  '/v1/uploads': () => ({ body: JSON.stringify({ filename: 'a.wav', content_type: 'audio/wav', bytes: 1024, purpose: 'transcription' }), json: true }),
  '/v1/videos/generations': () => ({ body: JSON.stringify({ model: 'sora-2', prompt: 'A paper boat', duration: 4 }), json: true }),
};
const bodyFor = (path: string) => (BODIES[path.replace(/^\/external/, '')] ?? (() => ({ body: JSON.stringify({ model: 'gpt-4o-mini', input: 'hi' }), json: true })))();

const CREATING = ROUTES.filter((route) => route.method === 'POST' && route.auth !== 'none' && !route.path.includes('{')).map((route) => route.path);

const send = (path: string, token: string): Promise<Response> => {
  const { body, json } = bodyFor(path);
  return fetch(`${gw.url}${path}`, { method: 'POST', headers: { ...bearer(token), ...(json ? { 'content-type': 'application/json' } : {}) }, body });
};

beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
  key = await gw.mintKey({ budget: 50n * USD });
  // Made before the revocation: it must stay readable after it.
  const created = await send('/v1/responses', key.token);
  expect(created.status).toBe(200);
  storedId = ((await created.json()) as { id: string }).id;
  // The key worked for a free creation too, until now.
  expect((await send('/v1/uploads', key.token)).status).toBe(201);
  await gw.ledger.revoke(key.keyId);
});
afterAll(async () => {
  await gw?.close();
});

describe('a revoked key creates nothing', () => {
  it('covers every paid POST route of the table, uploads among them', () => {
    expect(CREATING).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/responses', '/v1/uploads', '/v1/videos/generations', '/external/v1/chat/completions']));
  });

  it.each(CREATING)('POST %s is 401 revoked_api_key and holds nothing', async (path) => {
    const response = await send(path, key.token);
    const text = await response.text();
    expect(response.status, `${path}: ${text.slice(0, 300)}`).toBe(401);
    const body = JSON.parse(text) as { error: { code: string; type: string } };
    expectMatchesSchema('ErrorEnvelope', body);
    expect(body.error).toMatchObject({ code: 'revoked_api_key', type: 'authentication_error' });
    const ledger = await gw.ledger.getLedger(key.keyId);
    expect(ledger?.reserved).toBe(0n);
  });

  it('still reads what it made: its stored response and input items', async () => {
    expect((await fetch(`${gw.url}/v1/responses/${storedId}`, { headers: bearer(key.token) })).status).toBe(200);
    expect((await fetch(`${gw.url}/v1/responses/${storedId}/input_items`, { headers: bearer(key.token) })).status).toBe(200);
  });
});
