import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { meter, type PricingUnit } from '../../shared/pricing/index.ts';
import {
  buildReceipt,
  decodeReceiptHeader,
  encodeReceiptHeader,
  receiptEventFrame,
  receiptHeaders,
  type ReceiptBody,
} from '../../shared/receipts/index.ts';

const units: PricingUnit[] = [{ unitKey: 'tokens', unit: 'usd_per_million_tokens', entries: { input: 2.5, output: 10, cached_input: 1.25 }, valueKeys: [], default: true }];
const charge = meter(units, { kind: 'tokens', usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 100 } }, { feeBps: 500 });
const fromCharge = { lineItems: charge.line_items, providerAmount: charge.provider_amount_wei, platformFee: charge.platform_fee_wei, finalAmount: charge.final_amount_wei };

// The project's own copy of the contract.
const openapi = parse(readFileSync(join(import.meta.dirname, '../..', 'openapi', 'compose-inference.openapi.yaml'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv2020({ strict: false });
ajv.addSchema({ ...openapi, $id: 'openapi' });
const matchesSpec = (receipt: unknown): boolean => ajv.validate({ $ref: 'openapi#/components/schemas/ReceiptBody' }, receipt);

describe('receipts', () => {
  it('builds a spec ReceiptBody from a metered charge whose line items add up', () => {
    const receipt = buildReceipt({ subject: 'compose-key:abcdefgh', ...fromCharge, paymentMethod: 'compose_key', settled: true, settledAt: 1_800_000_000 });
    expect(receipt).toMatchObject({
      subject: 'compose-key:abcdefgh',
      provider_amount_wei: charge.provider_amount_wei,
      platform_fee_wei: charge.platform_fee_wei,
      final_amount_wei: charge.final_amount_wei,
      settled: true,
      settlement_status: 'settled',
      settled_at: 1_800_000_000,
    });
    expect(receipt.line_items.map((l) => l.key)).toEqual(['input_tokens', 'cached_input_tokens', 'output_tokens', 'reasoning_tokens']);
    const sum = receipt.line_items.reduce((s, l) => s + BigInt(l.amount_wei), 0n);
    expect(sum).toBe(BigInt(receipt.provider_amount_wei));
    expect(BigInt(receipt.provider_amount_wei) + BigInt(receipt.platform_fee_wei)).toBe(BigInt(receipt.final_amount_wei));
    expect(matchesSpec(receipt)).toBe(true);
    expect(matchesSpec({ ...receipt, final_amount_wei: '1.5' })).toBe(false);
  });

  it('carries network, tx hash and settlement time for x402', () => {
    const receipt = buildReceipt({ subject: '0x1111111111111111111111111111111111111111', ...fromCharge, paymentMethod: 'x402', network: 'eip155:43113', txHash: `0x${'ab'.repeat(32)}`, settledAt: 1_800_000_100, settled: true });
    expect(receipt).toMatchObject({ network: 'eip155:43113', tx_hash: `0x${'ab'.repeat(32)}`, settled_at: 1_800_000_100 });
    expect(matchesSpec(receipt)).toBe(true);
  });

  it('says so explicitly when the x402 settlement is queued', () => {
    const receipt = buildReceipt({ subject: '0x1111111111111111111111111111111111111111', ...fromCharge, paymentMethod: 'x402', network: 'eip155:84532', settled: false });
    expect(receipt.settled).toBe(false);
    expect(receipt.settlement_status).toBe('queued');
    expect(receipt).not.toHaveProperty('settled_at');
    expect(receipt).not.toHaveProperty('tx_hash');
    expect(matchesSpec(receipt)).toBe(true);
  });

  it('refuses to build a receipt that does not add up', () => {
    expect(() => buildReceipt({ subject: 's', ...fromCharge, providerAmount: '1', settled: true })).toThrow(/line items add up/);
    expect(() => buildReceipt({ subject: 's', ...fromCharge, finalAmount: BigInt(charge.final_amount_wei) + 1n, settled: true })).toThrow(/final amount/);
    expect(() => buildReceipt({ subject: 's', ...fromCharge, network: 'base-sepolia', settled: true })).toThrow(/CAIP-2/);
  });

  it('round-trips through the X-Compose-Receipt header as base64url JSON, and decodes standard base64 too', () => {
    const receipt = buildReceipt({ subject: 'compose-key:abcdefgh', ...fromCharge, settled: true, settledAt: 1 });
    const header = encodeReceiptHeader(receipt);
    expect(header).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeReceiptHeader(header)).toEqual(receipt);
    expect(decodeReceiptHeader(Buffer.from(JSON.stringify(receipt)).toString('base64'))).toEqual(receipt);
    expect(receiptHeaders(receipt)).toEqual({ 'x-compose-receipt': header, 'x-receipt': header });
  });

  it('refuses a header that is not a receipt', () => {
    expect(() => decodeReceiptHeader('not base64!')).toThrow(expect.objectContaining({ code: 'invalid_receipt', status: 400 }));
    expect(() => decodeReceiptHeader(Buffer.from('{"hello":1}').toString('base64url'))).toThrow(expect.objectContaining({ code: 'invalid_receipt' }));
    const receipt: ReceiptBody = buildReceipt({ subject: 's', ...fromCharge, settled: true });
    const tampered = { ...receipt, final_amount_wei: '-5' };
    expect(() => decodeReceiptHeader(Buffer.from(JSON.stringify(tampered)).toString('base64url'))).toThrow(expect.objectContaining({ code: 'invalid_receipt' }));
  });

  it('frames the in-band compose.receipt SSE event', () => {
    const receipt = buildReceipt({ subject: 's', ...fromCharge, settled: true, settledAt: 1 });
    const frame = receiptEventFrame(receipt);
    expect(frame.startsWith('event: compose.receipt\ndata: ')).toBe(true);
    expect(frame.endsWith('\n\n')).toBe(true);
    expect(JSON.parse(frame.split('\n')[1]!.slice('data: '.length))).toEqual(receipt);
  });
});
