import { describe, expect, it } from 'vitest';
import { ComposeError } from '../../layers/core/errors.ts';
import { exactDecimal, formatUsd, parseUsd } from '../../shared/pricing/decimal.ts';
import { meter, platformFeeBpsFromEnv, quoteWorstCase, type Charge, type PricingUnit } from '../../shared/pricing/index.ts';

const text = (entries: Record<string, number>): PricingUnit => ({
  unitKey: 'tokens',
  unit: 'usd_per_million_tokens',
  entries,
  valueKeys: Object.keys(entries),
  default: true,
});
const gpt = [text({ input: 2.5, output: 10, cached_input: 1.25 })];
const reasoner = [text({ input: 1.1, output: 4.4, cached_input: 0.275, reasoning: 5 })];
const images: PricingUnit[] = [
  { unitKey: 'images', unit: 'usd_per_image', entries: { 'standard:1024x1024': 0.04, 'hd:1024x1024': 0.08, 'hd:1024x1792': 0.12 }, valueKeys: [] },
];

const sumLines = (c: Charge): bigint => c.line_items.reduce((s, l) => s + BigInt(l.amount_wei), 0n);
const addsUp = (c: Charge): void => {
  expect(sumLines(c)).toBe(BigInt(c.provider_amount_wei));
  expect(BigInt(c.provider_amount_wei) + BigInt(c.platform_fee_wei)).toBe(BigInt(c.final_amount_wei));
};

describe('exact decimals', () => {
  it('reads a catalog number as the decimal its author wrote, not its binary float', () => {
    expect(exactDecimal(0.1, 'p')).toEqual({ n: 1n, d: 10n });
    expect(exactDecimal(1.5e-7, 'p')).toEqual({ n: 15n, d: 100000000n });
    expect(exactDecimal(1e21, 'p')).toEqual({ n: 10n ** 21n, d: 1n });
    expect(() => exactDecimal(-1, 'p')).toThrow(ComposeError);
    expect(() => exactDecimal(Number.NaN, 'p')).toThrow(ComposeError);
  });

  it('parses and formats USD amounts in atomic units without rounding', () => {
    expect(parseUsd('5.00')).toBe(5_000_000n);
    expect(parseUsd('0.000001')).toBe(1n);
    expect(() => parseUsd('0.0000001')).toThrow(/6 decimals/);
    expect(formatUsd(1_234_567n)).toBe('1.234567');
  });
});

describe('meter', () => {
  it('prices tokens exactly and rounds each line item up to an atomic unit', () => {
    // 1 input token at $2.50/M = 2.5 atomic → 3; 0.15 × 3 tokens = 0.45 atomic → 1 (0.15 is not a binary float).
    const c = meter(gpt, { kind: 'tokens', usage: { inputTokens: 1, outputTokens: 0 } }, { feeBps: 0 });
    expect(c.line_items[0]).toMatchObject({ key: 'input_tokens', unit: 'tokens', quantity: 1, unit_price_usd: 2.5e-6, amount_wei: '3' });
    const cheap = meter([text({ input: 0.15, output: 0.6 })], { kind: 'tokens', usage: { inputTokens: 3, outputTokens: 0 } }, { feeBps: 0 });
    expect(cheap.line_items[0]?.amount_wei).toBe('1');
    const exact = meter(gpt, { kind: 'tokens', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 } }, { feeBps: 0 });
    expect(exact.provider_amount_wei).toBe('12500000');
  });

  it('charges cached tokens at the cached rate and not again as input', () => {
    const c = meter(gpt, { kind: 'tokens', usage: { inputTokens: 1000, outputTokens: 200, cachedInputTokens: 600 } }, { feeBps: 0 });
    expect(c.line_items.map((l) => [l.key, l.quantity, l.amount_wei])).toEqual([
      ['input_tokens', 400, '1000'],
      ['cached_input_tokens', 600, '750'],
      ['output_tokens', 200, '2000'],
    ]);
    addsUp(c);
  });

  it('bills reasoning tokens out of output tokens, at the reasoning rate when the catalog has one', () => {
    const own = meter(reasoner, { kind: 'tokens', usage: { inputTokens: 100, outputTokens: 1000, reasoningTokens: 800 } }, { feeBps: 0 });
    expect(own.line_items.map((l) => [l.key, l.quantity, l.amount_wei])).toEqual([
      ['input_tokens', 100, '110'],
      ['output_tokens', 200, '880'],
      ['reasoning_tokens', 800, '4000'],
    ]);
    const asOutput = meter(gpt, { kind: 'tokens', usage: { inputTokens: 0, outputTokens: 1000, reasoningTokens: 800 } }, { feeBps: 0 });
    expect(asOutput.line_items.find((l) => l.key === 'reasoning_tokens')?.amount_wei).toBe('8000');
    expect(asOutput.provider_amount_wei).toBe('10000');
  });

  it('adds a platform fee in basis points, rounded up, on the provider amount', () => {
    const c = meter(gpt, { kind: 'tokens', usage: { inputTokens: 1, outputTokens: 1 } }, { feeBps: 250 });
    // 3 + 10 = 13 atomic; 2.5% of 13 = 0.325 → 1.
    expect([c.provider_amount_wei, c.platform_fee_wei, c.final_amount_wei]).toEqual(['13', '1', '14']);
    expect(meter(gpt, { kind: 'tokens', usage: { inputTokens: 0, outputTokens: 0 } }, { feeBps: 250 }).final_amount_wei).toBe('0');
  });

  it('reads the fee from PLATFORM_FEE_BPS and refuses a malformed one', () => {
    expect(platformFeeBpsFromEnv({})).toBe(0);
    expect(platformFeeBpsFromEnv({ PLATFORM_FEE_BPS: '500' })).toBe(500);
    expect(() => platformFeeBpsFromEnv({ PLATFORM_FEE_BPS: '5.5' })).toThrow(ComposeError);
    expect(() => platformFeeBpsFromEnv({ PLATFORM_FEE_BPS: '20000' })).toThrow(ComposeError);
  });

  it('prices images by quality and size, video by resolution, speech, transcription and per-call vision', () => {
    expect(meter(images, { kind: 'images', count: 2, quality: 'hd', size: '1024x1792' }, { feeBps: 0 }).line_items[0]).toMatchObject({
      key: 'images', quantity: 2, amount_wei: '240000', price_entry: 'hd:1024x1792',
    });
    const video: PricingUnit[] = [{ unitKey: 'video_seconds', unit: 'usd_per_second', entries: { '720p': 0.1, '1080p': 0.3 }, valueKeys: [] }];
    expect(meter(video, { kind: 'video_seconds', seconds: 8, resolution: '1080p' }, { feeBps: 0 }).provider_amount_wei).toBe('2400000');
    const tts: PricingUnit[] = [{ unitKey: 'characters', unit: 'usd_per_million_characters', entries: { input: 15 }, valueKeys: ['input'] }];
    expect(meter(tts, { kind: 'characters', characters: 1000 }, { feeBps: 0 }).provider_amount_wei).toBe('15000');
    const stt: PricingUnit[] = [{ unitKey: 'audio_minutes', unit: 'usd_per_minute', entries: { input: 0.006 }, valueKeys: ['input'] }];
    // 37 s = 0.61666… min × $0.006 = 3700 atomic exactly.
    expect(meter(stt, { kind: 'audio_minutes', seconds: 37 }, { feeBps: 0 }).provider_amount_wei).toBe('3700');
    const vision: PricingUnit[] = [{ unitKey: 'requests', unit: 'usd_per_request', entries: { default: 0.002 }, valueKeys: ['default'] }];
    expect(meter(vision, { kind: 'requests', count: 1 }, { feeBps: 0 }).provider_amount_wei).toBe('2000');
  });

  it('prices an unspecified image option at its dearest compatible entry and refuses an unpriced one', () => {
    expect(meter(images, { kind: 'images', count: 1, size: '1024x1024' }, { feeBps: 0 }).provider_amount_wei).toBe('80000');
    expect(() => meter(images, { kind: 'images', count: 1, size: '256x256' })).toThrow(expect.objectContaining({ code: 'unpriced_option', status: 400 }));
    expect(() => meter(gpt, { kind: 'images', count: 1 })).toThrow(expect.objectContaining({ code: 'model_not_priced' }));
  });

  it('embeddings bill input only', () => {
    const emb = [text({ input: 0.02 })];
    const c = meter(emb, { kind: 'tokens', usage: { inputTokens: 5000, outputTokens: 0 } }, { feeBps: 0 });
    expect(c.line_items.map((l) => l.key)).toEqual(['input_tokens']);
    expect(c.provider_amount_wei).toBe('100');
  });

  it('line items add up to the totals for any usage', () => {
    for (let i = 0; i < 300; i++) {
      const input = (i * 7919) % 50_000;
      const output = (i * 104_729) % 9000;
      const usage = { inputTokens: input, outputTokens: output, cachedInputTokens: (i * 31) % (input + 1), reasoningTokens: (i * 17) % (output + 1) };
      addsUp(meter(reasoner, { kind: 'tokens', usage }, { feeBps: i % 1000 }));
    }
  });
});

describe('quoteWorstCase', () => {
  const body = JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'Summarize the deployment log. '.repeat(40) }] });

  it('bounds text by the body size and the output cap, and reports the bounds it assumed', () => {
    const q = quoteWorstCase(gpt, { kind: 'tokens', bodyBytes: 4000, maxOutputTokens: 500, modelMaxOutputTokens: 16_384 }, { feeBps: 0 });
    expect(q.bounds).toEqual({ inputTokens: 4000, outputTokens: 500 });
    expect(q.providerAmount).toBe(10_000n + 5000n + 4n);
    const uncapped = quoteWorstCase(gpt, { kind: 'tokens', bodyBytes: 4000, modelMaxOutputTokens: 16_384, contextWindow: 128_000 }, { feeBps: 0 });
    expect(uncapped.bounds?.outputTokens).toBe(16_384);
    expect(quoteWorstCase(gpt, { kind: 'tokens', bodyBytes: 10_000_000, contextWindow: 128_000 }, { feeBps: 0 }).bounds?.inputTokens).toBe(128_000);
  });

  it('is never below the metered charge for the same request, fee included', () => {
    const bodyBytes = Buffer.byteLength(body);
    for (const units of [gpt, reasoner]) {
      for (let i = 0; i < 200; i++) {
        const maxOutputTokens = 1 + ((i * 37) % 700);
        const quote = quoteWorstCase(units, { kind: 'tokens', bodyBytes, maxOutputTokens }, { feeBps: 300 });
        // Worst usage the request can produce, with every rounding-hungry split of cached and reasoning tokens.
        const inputTokens = bodyBytes - (i % 5);
        const usage = { inputTokens, outputTokens: maxOutputTokens, cachedInputTokens: i % inputTokens, reasoningTokens: (i * 13) % maxOutputTokens };
        const charge = meter(units, { kind: 'tokens', usage }, { feeBps: 300 });
        expect(quote.amount).toBeGreaterThanOrEqual(BigInt(charge.final_amount_wei));
      }
    }
  });

  it('survives the rounding of many small line items', () => {
    // Prices where each of the 5 line items rounds up by almost a whole atomic unit.
    const units = [text({ input: 0.9, output: 0.9, cached_input: 0.1, cache_write: 0.95, reasoning: 0.1 })];
    const quote = quoteWorstCase(units, { kind: 'tokens', bodyBytes: 10, maxOutputTokens: 10 }, { feeBps: 0 });
    const charge = meter(units, { kind: 'tokens', usage: { inputTokens: 10, outputTokens: 10, cachedInputTokens: 1, cacheWriteTokens: 1, reasoningTokens: 1 } }, { feeBps: 0 });
    expect(quote.amount).toBeGreaterThanOrEqual(BigInt(charge.final_amount_wei));
  });

  it('quotes n images, characters, audio by duration or by size, video seconds and requests', () => {
    expect(quoteWorstCase(images, { kind: 'images', count: 3, quality: 'hd', size: '1024x1792' }, { feeBps: 0 }).amount).toBe(360_000n);
    const stt: PricingUnit[] = [{ unitKey: 'audio_minutes', unit: 'usd_per_minute', entries: { input: 0.006 }, valueKeys: ['input'] }];
    expect(quoteWorstCase(stt, { kind: 'audio_minutes', seconds: 60 }, { feeBps: 0 }).amount).toBe(6000n);
    // 30 000 bytes can hold at most 60 s of speech at 4 kbit/s.
    expect(quoteWorstCase(stt, { kind: 'audio_minutes', bytes: 30_000 }, { feeBps: 0 }).amount).toBe(6000n);
    const video: PricingUnit[] = [{ unitKey: 'video_seconds', unit: 'usd_per_second', entries: { '720p': 0.1, '1080p': 0.3 }, valueKeys: [] }];
    expect(quoteWorstCase(video, { kind: 'video_seconds', seconds: 5 }, { feeBps: 0 }).amount).toBe(1_500_000n);
    const vision: PricingUnit[] = [{ unitKey: 'requests', unit: 'usd_per_request', entries: { default: 0.002 }, valueKeys: ['default'] }];
    expect(quoteWorstCase(vision, { kind: 'requests' }, { feeBps: 1000 }).amount).toBe(2200n);
  });
});

describe('a call the provider does not charge for (moderation)', () => {
  const moderation: PricingUnit[] = [
    { unitKey: 'requests', unit: 'usd_per_request', entries: { default: 0, platform_fee: 0.0001 }, valueKeys: ['default', 'platform_fee'], default: true },
  ];

  it('charges the flat platform fee alone: a zero provider amount, and the receipt still adds up', () => {
    const charge = meter(moderation, { kind: 'requests', count: 1 }, { feeBps: 0 });
    expect(charge).toMatchObject({ provider_amount_wei: '0', platform_fee_wei: '100', final_amount_wei: '100' });
    expect(charge.line_items).toEqual([{ key: 'requests', unit: 'requests', quantity: 1, unit_price_usd: 0, amount_wei: '0' }]);
    addsUp(charge);
    // A percentage fee on a zero provider amount adds nothing to the flat fee.
    expect(meter(moderation, { kind: 'requests', count: 1 }, { feeBps: 500 }).final_amount_wei).toBe('100');
  });

  it('quotes exactly what it meters', () => {
    const quote = quoteWorstCase(moderation, { kind: 'requests', count: 1 }, { feeBps: 500 });
    expect(quote).toMatchObject({ amount: 100n, providerAmount: 0n, platformFee: 100n });
  });
});
