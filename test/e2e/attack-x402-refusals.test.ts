/**
 * Attack: forged and garbled `PAYMENT-SIGNATURE`s, and calls without one. Every refusal is a 402 whose body is the
 * OpenAI error every other refusal has (`{error:{message,type,code}}`, so the OpenAI SDKs raise an `APIError`
 * with its code) beside the x402 challenge, which travels in `PAYMENT-REQUIRED` where the official client reads
 * it. A refused payment holds nothing against its payer, and the official client still pays from that header.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodePaymentRequiredHeader as officialDecodeRequired, decodePaymentResponseHeader } from '@x402/core/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import { createExposureStore } from '../../layers/x402/exposure.ts';
import type { PaymentPayload } from '../../layers/x402/schemas.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { CHAT, challengeFor, officialPayer, sharedPaymentsRuntime, type PaymentsRuntime } from '../support/payments.ts';

let gw: PaymentsRuntime;
let dynamo: DynamoDBClient;
beforeAll(async () => {
  gw = await sharedPaymentsRuntime();
  dynamo = new DynamoDBClient({ endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});
afterAll(async () => {
  dynamo?.destroy();
  await gw?.close();
});

const WALLET = 3;
const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Refuse me cleanly' }], max_tokens: 16 });

/** A 402 with an OpenAI-shaped body and a challenge the official decoder reads; returns the body's code. */
const expectCleanRefusal = async (response: Response): Promise<string> => {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(402);
  const parsed = JSON.parse(text) as { error: { message: unknown; type: unknown; code: unknown } };
  expect(parsed.error).toMatchObject({ message: expect.any(String), type: 'payment_required', code: expect.any(String) });
  const challenge = officialDecodeRequired(response.headers.get('payment-required')!);
  expect(challenge.x402Version).toBe(2);
  expect(challenge.accepts.length).toBeGreaterThan(0);
  return parsed.error.code as string;
};

let signed: PaymentPayload;
beforeAll(async () => {
  const challenge = await challengeFor(gw, CHAT, body);
  signed = await officialPayer(gw.chain, WALLET, 'exact').sign({ ...challenge, accepts: challenge.accepts.filter((offer) => offer.scheme === 'exact') });
});

const altered = (change: (payload: PaymentPayload & { payload: { authorization: Record<string, string> } }) => unknown): string =>
  encodeBase64Json(change(structuredClone(signed) as never));

describe('every refused payment is a clean 402', () => {
  it('a call without a payment: the OpenAI error, and the challenge in PAYMENT-REQUIRED with its reason', async () => {
    const response = await gw.post(CHAT, body);
    const header = officialDecodeRequired(response.headers.get('payment-required')!);
    expect(await expectCleanRefusal(response.clone())).toBe('payment_required');
    const parsed = (await response.json()) as { error: { message: string }; accepts: unknown };
    expect(header.error).toBe(parsed.error.message);
    expect(parsed.accepts).toEqual(header.accepts);
  });

  it.each([
    ['not base64', () => '!!!***'],
    ['base64 of text', () => Buffer.from('hello').toString('base64')],
    ['a JSON array', () => encodeBase64Json([1, 2])],
    ['x402 version 1', () => altered((p) => ({ ...p, x402Version: 1 }))],
    ['x402 version 3', () => altered((p) => ({ ...p, x402Version: 3 }))],
    ['another network', () => altered((p) => ({ ...p, accepted: { ...p.accepted, network: 'eip155:1' } }))],
    ['another asset', () => altered((p) => ({ ...p, accepted: { ...p.accepted, asset: `0x${'1'.repeat(40)}` } }))],
    ['another recipient', () => altered((p) => ({ ...p, accepted: { ...p.accepted, payTo: `0x${'2'.repeat(40)}` } }))],
    ['an amount below the quote', () => altered((p) => ({ ...p, payload: { ...p.payload, authorization: { ...p.payload.authorization, value: '1' } } }))],
    ['a validBefore two seconds away', () => altered((p) => ({ ...p, payload: { ...p.payload, authorization: { ...p.payload.authorization, validBefore: String(Math.floor(Date.now() / 1000) + 2) } } }))],
    ['a value of 90 digits', () => altered((p) => ({ ...p, payload: { ...p.payload, authorization: { ...p.payload.authorization, value: '9'.repeat(90) } } }))],
    ['a garbled signature', () => altered((p) => ({ ...p, payload: { ...p.payload, signature: '0xzz' } }))],
    ['an unknown scheme', () => altered((p) => ({ ...p, accepted: { ...p.accepted, scheme: 'foo' } }))],
  ])('%s', async (_label, header) => {
    const code = await expectCleanRefusal(await gw.post(CHAT, body, { 'payment-signature': header() }));
    expect(code).toMatch(/^payment_/);
    // Nothing is held against the payer the forged payment names.
    const exposure = createExposureStore({ client: DynamoDBDocumentClient.from(dynamo), tableName: physicalTableName('local', 'nonces') });
    expect(await exposure.inFlight(gw.chain.network, gw.chain.usdc, officialPayer(gw.chain, WALLET).account.address)).toBe(0n);
  });

  it('a read without credentials: the sign-in challenge is a clean 402 too', async () => {
    const response = await fetch(`${gw.url}/v1/responses/resp_missing`);
    expect(response.status).toBe(402);
    const parsed = (await response.json()) as { error: unknown };
    expect(parsed.error).toMatchObject({ message: expect.any(String), type: 'payment_required', code: 'sign_in_required' });
    expect(officialDecodeRequired(response.headers.get('payment-required')!).extensions).toBeDefined();
  });

  it('the official client still pays from the header', async () => {
    const paid = await officialPayer(gw.chain, WALLET, 'exact').fetch(`${gw.url}${CHAT}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(paid.status).toBe(200);
    expect(decodePaymentResponseHeader(paid.headers.get('payment-response')!).success).toBe(true);
  });
});
