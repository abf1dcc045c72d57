/**
 * The money rule of every media unit: what is charged after the call never exceeds what was held before it,
 * whatever the provider reports; and it is the exact price of what was made when the provider says what it made.
 */
import { describe, expect, it } from 'vitest';
import type { ImageResult } from '../../layers/providers/media-types.ts';
import { promptPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { imageQuote, measuredImages } from '../../shared/media/images/billing.ts';
import type { ImageCall } from '../../shared/media/images/request.ts';
import { resolveMediaModel } from '../../shared/media/model.ts';
import { meter, quoteWorstCase } from '../../shared/pricing/index.ts';

const call = (overrides: Partial<ImageCall> = {}): ImageCall => ({
  model: 'gpt-image-1',
  provider: 'openai',
  prompt: 'p',
  n: 2,
  size: undefined,
  quality: undefined,
  responseFormat: 'url',
  extra: {},
  ...overrides,
});

const pictures = new Map<string, Buffer>();
const picture = (width: number, height: number): Buffer => {
  const key = `${width}x${height}`;
  if (!pictures.has(key)) pictures.set(key, promptPicture(width, height, 1));
  return pictures.get(key)!;
};

const result = (count: number, reported: { quality?: string; size?: string } = {}, width = 1024, height = 1024): ImageResult => ({
  images: Array.from({ length: count }, () => ({ data: picture(width, height), mediaType: 'image/png' })),
  ...reported,
});

const model = resolveMediaModel('gpt-image-1', 'openai', 'image-generation');

const charged = (c: ImageCall, r: ImageResult) => {
  const held = quoteWorstCase(model.units, imageQuote(c), { feeBps: 0 }).amount;
  const charge = meter(model.units, measuredImages(model, c, r), { feeBps: 0 });
  return { held, charged: BigInt(charge.final_amount_wei), entry: charge.line_items[0]!.price_entry, count: charge.line_items[0]!.quantity };
};

describe('images', () => {
  it('options the client chose are held and charged exactly', () => {
    const outcome = charged(call({ quality: 'medium', size: '1536x1024' }), result(2, { quality: 'medium', size: '1536x1024' }, 1536, 1024));
    expect(outcome).toMatchObject({ entry: 'medium:1536x1024', count: 2 });
    expect(outcome.charged).toBe(outcome.held);
  });

  it('options left to the provider are held at the dearest and charged at what it reports', () => {
    const outcome = charged(call(), result(2, { quality: 'low', size: '1024x1024' }));
    expect(outcome.entry).toBe('low:1024x1024');
    expect(outcome.charged).toBeLessThan(outcome.held);
  });

  it('a size the provider does not report is read from the PNG', () => {
    expect(charged(call({ quality: 'high' }), result(1, {}, 1024, 1536)).entry).toBe('high:1024x1536');
  });

  it('a report that names no priced option falls back to the held options, never above the hold', () => {
    const outcome = charged(call({ size: '1024x1024' }), result(2, { quality: 'ultra', size: '4096x4096' }));
    expect(outcome.entry).toBe('high:1024x1024');
    expect(outcome.charged).toBe(outcome.held);
  });

  it('more images than asked are never charged; fewer are charged as made', () => {
    expect(charged(call({ n: 1, quality: 'low', size: '1024x1024' }), result(3)).count).toBe(1);
    expect(charged(call({ n: 4, quality: 'low', size: '1024x1024' }), result(2)).count).toBe(2);
  });

  it.each(['low', 'medium', 'high', 'auto', undefined])('quality %s: every reported outcome stays within the hold', (quality) => {
    for (const size of ['1024x1024', '1536x1024', 'auto', undefined]) {
      for (const reported of [{}, { quality: 'low', size: '1024x1024' }, { quality: 'high', size: '1536x1024' }, { quality: 'nonsense' }]) {
        const outcome = charged(call({ quality, size }), result(2, reported));
        expect(outcome.charged).toBeLessThanOrEqual(outcome.held);
      }
    }
  });
});
