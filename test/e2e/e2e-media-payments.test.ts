/**
 * Media calls pay like text calls: a Compose Key holds each unit's worst case and is charged what was measured
 * (the ledger ends with nothing reserved and `spent` equal to the receipts), a failed call costs nothing, and
 * the official x402 client pays media routes — `exact` for speech, whose price is known before the call, and
 * `upto` for a transcription, settled at the minutes measured. A wallet's own upload (`file_id`) is found by the
 * signature that proves the wallet, and paid like any other transcription.
 */
import { decodePaymentRequiredHeader as officialDecodeRequired } from '@x402/core/http';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import type { PaymentRequired } from '../../layers/x402/schemas.ts';
import type { Ledger } from '../../shared/keys/index.ts';
import { atomic, catalogPrice, multipart, pngBytes, upload, wavBytes } from '../support/media-e2e.ts';
import { balancesMovedBy, challengeFor, headerReceipt, officialPayer, signedInFetch, sharedPaymentsRuntime, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;

beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
});
afterAll(async () => {
  await gw?.close();
});

const sdk = (token: string) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: token, maxRetries: 0 });
const balances = ({ budget, available, reserved, spent, reservations }: Ledger) => ({ budget, available, reserved, spent, open: reservations.length });

describe('Compose Key ledgers', () => {
  it('hold each media unit at its worst case and are charged exactly the receipts, with nothing left reserved', async () => {
    const budget = 5_000_000n;
    const key = await gw.mintKey({ budget });
    const client = sdk(key.token);
    const answers = [
      await client.embeddings.create({ model: 'text-embedding-3-small', input: 'ledger test', encoding_format: 'float' }).withResponse(),
      // Quality left to the provider: held at the dearest option, charged at the one made.
      await client.images.generate({ model: 'gpt-image-1', prompt: 'ledger test', response_format: 'b64_json' }).withResponse(),
      await client.images.edit({ model: 'gpt-image-1', prompt: 'edit', image: await upload(pngBytes(32, 32), 'a.png', 'image/png'), quality: 'low', size: '1024x1024' }).withResponse(),
      await client.audio.speech.create({ model: 'tts-1', input: 'ledger test', voice: 'alloy' }).withResponse(),
      await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(3), 'a.wav') }).withResponse(),
    ];
    const charged = answers.map(({ response }) => BigInt(headerReceipt(response).final_amount_wei));
    const spent = charged.reduce((a, b) => a + b, 0n);
    expect(charged.every((amount) => amount > 0n)).toBe(true);
    expect(balances((await gw.ledger.getLedger(key.keyId))!)).toEqual({ budget, available: budget - spent, reserved: 0n, spent, open: 0 });
  });

  it('a call the provider refuses leaves the ledger as it was', async () => {
    const key = await gw.mintKey({ budget: 1_000_000n });
    await sdk(key.token).audio.speech.create({ model: 'tts-1', input: 'First, a paid call.', voice: 'alloy' });
    const before = balances((await gw.ledger.getLedger(key.keyId))!);
    const refused = await gw.post('/v1/audio/speech', { model: 'tts-1', input: 'SIM_FAULT=400', voice: 'alloy' }, { authorization: `Bearer ${key.token}` });
    expect(refused.status).toBe(400);
    expect(balances((await gw.ledger.getLedger(key.keyId))!)).toEqual(before);
  });

  it('a quote above what the key has left is refused with 402 before the provider is called', async () => {
    const key = await gw.mintKey({ budget: 10n });
    const response = await gw.post('/v1/images/generations', { model: 'gpt-image-1', prompt: 'too dear', quality: 'low' }, { authorization: `Bearer ${key.token}` });
    expect(response.status).toBe(402);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('insufficient_budget');
  });
});

describe('x402', () => {
  it('the official client pays exactly for speech: the price is known before the call, so no upto is offered', async () => {
    const input = 'Paid on chain, spoken here.';
    const body = JSON.stringify({ model: 'tts-1', input, voice: 'onyx', response_format: 'mp3' });
    const price = atomic(input.length * (catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6));
    const challenge = await challengeFor(gw, '/v1/audio/speech', body);
    expect(challenge.accepts.map((offer) => [offer.scheme, offer.amount])).toEqual([['exact', price]]);

    const payer = officialPayer(gw.chain, 1, 'exact');
    const { result, paid, received } = await balancesMovedBy(gw.chain, payer.account.address, async () => {
      const response = await payer.fetch(`${gw.url}/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { response, audio: Buffer.from(await response.arrayBuffer()) };
    });
    expect(result.response.status).toBe(200);
    expect(result.response.headers.get('content-type')).toBe('audio/mpeg');
    expect(result.audio.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfb]));
    expect(result.response.headers.get('payment-response')).toBeTruthy();
    const receipt = headerReceipt(result.response);
    expect(receipt).toMatchObject({ payment_method: 'x402', settled: true, final_amount_wei: price });
    expect(receipt.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
    expect([paid, received]).toEqual([BigInt(price), BigInt(price)]);
  });

  it('upto pays a transcription the minutes measured, within the cap the challenge held', async () => {
    const form = () => multipart({ model: 'whisper-1' }, [{ name: 'file', data: wavBytes(4), filename: 'a.wav', type: 'audio/wav' }]);
    const first = await fetch(`${gw.url}/v1/audio/transcriptions`, { method: 'POST', body: form() });
    expect(first.status).toBe(402);
    await first.body?.cancel();

    const payer = officialPayer(gw.chain, 2, 'upto');
    const { result, paid } = await balancesMovedBy(gw.chain, payer.account.address, async () => {
      const response = await payer.fetch(`${gw.url}/v1/audio/transcriptions`, { method: 'POST', body: form() });
      return { response, body: (await response.json()) as { text: string } };
    });
    expect(result.response.status).toBe(200);
    expect(result.body.text.length).toBeGreaterThan(0);
    const receipt = headerReceipt(result.response);
    const expected = atomic((4 / 60) * catalogPrice('whisper-1', 'openai', 'transcription', 'input'));
    expect(receipt).toMatchObject({ payment_method: 'x402', settled: true, final_amount_wei: expected });
    expect(paid).toBe(BigInt(expected));
  });

  it('a wallet signs in to upload, then pays the transcription of its upload at the minutes measured', async () => {
    const payer = officialPayer(gw.chain, 3, 'upto');
    // A fresh payload the wallet signed for this server proves it for the call it is sent with (its nonce is
    // claimed first); the challenge of a small call will do, and nothing is settled for it.
    const proof = encodeBase64Json(await payer.sign(await challengeFor(gw, '/v1/audio/speech', JSON.stringify({ model: 'tts-1', input: 'proof', voice: 'alloy' }))));
    const seconds = 12;
    const wav = wavBytes(seconds);
    // Creating an upload pays nothing: the wallet signs in (Sign-In-With-X) with the official client.
    const created = await signedInFetch(payer.account)(`${gw.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'call.wav', content_type: 'audio/wav', bytes: wav.length, purpose: 'transcription' }),
    });
    expect(created.status).toBe(201);
    const upload = (await created.json()) as { id: string; upload_url: string; method: string; headers: Record<string, string> };
    expect((await fetch(upload.upload_url, { method: upload.method, headers: upload.headers, body: wav })).status).toBe(200);

    const body = JSON.stringify({ model: 'whisper-1', file_id: upload.id });
    // The proof names the wallet, so the upload is found and priced; it does not pay this call, so the answer is
    // the call's own challenge, and the wallet pays that.
    const priced = await gw.post('/v1/audio/transcriptions', body, { 'payment-signature': proof });
    expect(priced.status).toBe(402);
    await priced.body?.cancel();
    const challenge = officialDecodeRequired(priced.headers.get('payment-required')!) as PaymentRequired;
    expect(challenge.accepts.map((offer) => offer.scheme).sort()).toEqual(['exact', 'upto']);

    const { result, paid, received } = await balancesMovedBy(gw.chain, payer.account.address, async () => {
      const response = await gw.post('/v1/audio/transcriptions', body, { 'payment-signature': encodeBase64Json(await payer.sign(challenge)) });
      return { response, body: (await response.json()) as { text: string } };
    });
    expect(result.response.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.text.length).toBeGreaterThan(0);
    const expected = atomic((seconds / 60) * catalogPrice('whisper-1', 'openai', 'transcription', 'input'));
    expect(headerReceipt(result.response)).toMatchObject({ payment_method: 'x402', settled: true, final_amount_wei: expected });
    expect([paid, received]).toEqual([BigInt(expected), BigInt(expected)]);

    // Another wallet's proof reaches nothing of this one's.
    const stranger = encodeBase64Json(await officialPayer(gw.chain, 4).sign(challenge));
    const hidden = await gw.post('/v1/audio/transcriptions', body, { 'payment-signature': stranger });
    expect(hidden.status).toBe(404);
    expect(((await hidden.json()) as { error: { code: string } }).error.code).toBe('upload_not_found');
  });

  it('external media routes never take x402: 401 without a key', async () => {
    const response = await fetch(`${gw.url}/external/v1/audio/speech`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tts-1', input: 'x', voice: 'alloy' }) });
    expect(response.status).toBe(401);
  });
});
