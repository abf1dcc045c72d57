import {
  decodePaymentRequiredHeader as officialDecodeRequired,
  decodePaymentResponseHeader as officialDecodeResponse,
  encodePaymentSignatureHeader as officialEncodeSignature,
} from '@x402/core/http';
import { describe, expect, it } from 'vitest';
import { PaymentRequiredError } from '../../layers/core/errors.ts';
import { buildPaymentRequired } from '../../layers/x402/challenge.ts';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '../../layers/x402/codec.ts';
import type { PaymentPayload } from '../../layers/x402/schemas.ts';

const USDC = '0x5425890298aed601595a70AB815c96711a31Bc65';
const MERCHANT = '0x209693Bc6afc0C5328bA36FaF03C514EF312287C';
const FACILITATOR = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const challenge = () =>
  buildPaymentRequired(
    {
      resourceUrl: 'http://127.0.0.1:3000/v1/chat/completions',
      description: 'chat completion with gpt-test',
      mimeType: 'application/json',
      network: 'eip155:43113',
      asset: USDC,
      payTo: MERCHANT,
      amount: '1500',
      maxTimeoutSeconds: 300,
      upto: { maxAmount: '25000' },
    },
    { domain: { name: 'USD Coin', version: '2' }, uptoFacilitator: FACILITATOR },
  );

const payload: PaymentPayload = {
  x402Version: 2,
  resource: { url: 'http://127.0.0.1:3000/v1/chat/completions' },
  accepted: challenge().accepts.find((offer) => offer.scheme === 'exact')!,
  payload: {
    signature: `0x${'11'.repeat(65)}`,
    authorization: {
      from: '0x857b06519E91e3A54538791bDbb0E22373e36b66',
      to: MERCHANT,
      value: '1500',
      validAfter: '0',
      validBefore: '1740672154',
      nonce: `0x${'ab'.repeat(32)}`,
    },
  },
};

const toBase64Url = (standard: string): string => standard.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

const refusal = (fn: () => unknown): PaymentRequiredError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PaymentRequiredError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the 402 challenge', () => {
  it('offers exact and upto with the extra fields the official EVM client signs with', () => {
    const required = challenge();
    expect(required).toEqual({
      x402Version: 2,
      resource: { url: 'http://127.0.0.1:3000/v1/chat/completions', description: 'chat completion with gpt-test', mimeType: 'application/json' },
      // upto first: the price depends on usage, and clients taking the first offer then pay what was used.
      accepts: [
        {
          scheme: 'upto',
          network: 'eip155:43113',
          amount: '25000',
          asset: USDC,
          payTo: MERCHANT,
          maxTimeoutSeconds: 300,
          extra: { name: 'USD Coin', version: '2', facilitatorAddress: FACILITATOR },
        },
        {
          scheme: 'exact',
          network: 'eip155:43113',
          amount: '1500',
          asset: USDC,
          payTo: MERCHANT,
          maxTimeoutSeconds: 300,
          extra: { name: 'USD Coin', version: '2', assetTransferMethod: 'eip3009' },
        },
      ],
    });
  });

  it('offers only exact when the price does not depend on usage', () => {
    const required = buildPaymentRequired(
      { resourceUrl: 'http://x/y', network: 'eip155:84532', asset: USDC, payTo: MERCHANT, amount: '10', maxTimeoutSeconds: 60, error: 'PAYMENT-SIGNATURE header is required' },
      { domain: { name: 'USDC', version: '2' } },
    );
    expect(required.accepts.map((a) => a.scheme)).toEqual(['exact']);
    expect(required.error).toBe('PAYMENT-SIGNATURE header is required');
  });

  it('refuses to build an offer from a non-atomic amount', () => {
    expect(() =>
      buildPaymentRequired(
        { resourceUrl: 'http://x/y', network: 'eip155:84532', asset: USDC, payTo: MERCHANT, amount: '0.01', maxTimeoutSeconds: 60 },
        { domain: { name: 'USDC', version: '2' } },
      ),
    ).toThrow(/atomic/);
  });
});

describe('header codec', () => {
  it('encodes PAYMENT-REQUIRED in standard base64 that the official decoder reads back unchanged', () => {
    const header = encodePaymentRequiredHeader(challenge());
    expect(header).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    expect(officialDecodeRequired(header)).toEqual(challenge());
    expect(decodePaymentRequiredHeader(header)).toEqual(challenge());
  });

  it('encodes PAYMENT-RESPONSE so the official client can decode it', () => {
    const settled = { success: true, transaction: `0x${'12'.repeat(32)}`, network: 'eip155:43113', payer: '0x857b06519E91e3A54538791bDbb0E22373e36b66', amount: '1500' };
    const header = encodePaymentResponseHeader(settled);
    expect(officialDecodeResponse(header)).toEqual(settled);
    expect(decodePaymentResponseHeader(header)).toEqual(settled);
  });

  it('decodes a PAYMENT-SIGNATURE the official client encoded (standard base64)', () => {
    expect(decodePaymentSignatureHeader(officialEncodeSignature(payload as never))).toEqual(payload);
  });

  it('decodes the same PAYMENT-SIGNATURE in base64url, with or without padding', () => {
    const standard = officialEncodeSignature(payload as never);
    expect(decodePaymentSignatureHeader(toBase64Url(standard))).toEqual(payload);
    expect(decodePaymentSignatureHeader(standard.replaceAll('+', '-').replaceAll('/', '_'))).toEqual(payload);
  });

  it('normalizes addresses to their checksummed form', () => {
    const lower = { ...payload, accepted: { ...payload.accepted, payTo: MERCHANT.toLowerCase() } };
    expect(decodePaymentSignatureHeader(Buffer.from(JSON.stringify(lower)).toString('base64')).accepted.payTo).toBe(MERCHANT);
  });

  it.each([
    ['not base64', '%%%not-base64%%%', /not base64/],
    ['empty', '', /not base64/],
    ['base64 of something that is not JSON', Buffer.from('hello').toString('base64'), /JSON/],
    ['JSON of the wrong shape', Buffer.from(JSON.stringify({ x402Version: 2, accepted: {} })).toString('base64'), /invalid at accepted/],
    ['an amount that is not an integer', Buffer.from(JSON.stringify({ ...payload, accepted: { ...payload.accepted, amount: '1.5' } })).toString('base64'), /amount/],
  ])('refuses a PAYMENT-SIGNATURE that is %s with 402 payment_malformed', (_label, header, message) => {
    const error = refusal(() => decodePaymentSignatureHeader(header));
    expect(error.status).toBe(402);
    expect(error.code).toBe('payment_malformed');
    expect(error.message).toMatch(message);
    expect(error.toBody().error).toMatchObject({ type: 'payment_required', code: 'payment_malformed' });
  });

  it('refuses an oversized header before decoding it', () => {
    expect(refusal(() => decodePaymentSignatureHeader('A'.repeat(20_000))).code).toBe('payment_malformed');
  });
});
