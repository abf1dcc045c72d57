/**
 * Catalog freshness: text prices are cross-checked against @pydantic/genai-prices (differences over 5% reported,
 * never applied), rows an official SDK documents as retired are marked, and no row routes to a method or partner
 * the current official SDKs refuse.
 */
import { describe, expect, it } from 'vitest';
import { checkFreshness, markStale, type PriceLookup } from '../../shared/catalog/build/freshness.ts';
import { genaiPricesLookup } from '../../shared/catalog/build/genai-prices.ts';
import { RETIREMENTS } from '../../shared/catalog/data/retirements.ts';
import { getModel, listModels } from '../../shared/catalog/index.ts';
import type { RecordDraft } from '../../shared/catalog/record.ts';

const textDraft = (provider: string, modelId: string, entries: Record<string, number>, priceVerified = false): RecordDraft =>
  ({
    modelId,
    upstreamModelId: modelId,
    name: modelId,
    provider,
    family: 'x',
    ownedBy: 'x',
    description: 'x',
    operations: [{ modality: 'text', operation: 'text-generation', sourceTypes: ['text'], input: ['text'], output: ['text'], streamable: true, pricingUnits: [{ unitKey: 'tokens', entries, default: true }] }],
    sourceMetadata: { origin: 'curated', pricingSource: 'https://example.com/pricing', priceVerified },
    curated: true,
  }) as unknown as RecordDraft;

describe('price cross-check', () => {
  const lookup: PriceLookup = (provider, model) =>
    provider === 'openai' ? ({ 'model-a': { input: 1, output: 4, cachedInput: 0.5 }, 'model-b': { input: 2, output: 8, deprecated: true } } as Record<string, ReturnType<PriceLookup>>)[model] : undefined;

  it('reports every field more than 5% away from the second source, and leaves the prices alone', () => {
    const drafts = [textDraft('openai', 'model-a', { input: 1.04, output: 5, cached_input: 0.5 }), textDraft('openai', 'model-b', { input: 2, output: 8 })];
    const report = checkFreshness(drafts, lookup, [], '2026-12-07');
    expect(report.disagreements).toEqual([{ provider: 'openai', modelId: 'model-a', field: 'output', ours: 5, theirs: 4, difference: 0.25 }]);
    expect((drafts[0]!.operations[0]!.pricingUnits[0]!.entries as Record<string, number>)['output']).toBe(5);
  });

  it('lists text rows without a second source, rows it marks deprecated, retired rows and unverified prices', () => {
    const drafts = [textDraft('openai', 'model-b', { input: 2, output: 8 }), textDraft('aiml', 'model-c', { input: 1, output: 1 }, true), textDraft('openai', 'dall-e-3', { input: 1, output: 1 })];
    const report = checkFreshness(drafts, lookup, RETIREMENTS, '2026-12-07');
    expect(report.unchecked).toEqual(['aiml/model-c', 'openai/dall-e-3']);
    expect(report.stale).toEqual([
      { provider: 'openai', modelId: 'model-b', reason: 'deprecated (@pydantic/genai-prices)' },
      { provider: 'openai', modelId: 'dall-e-3', reason: expect.stringMatching(/^retired 2026-05-12 \(openai 7\.60\.0/) },
    ]);
    expect(report.unverified).toEqual(['openai/model-b', 'openai/dall-e-3']);
    expect(markStale(drafts[2]!, report.stale).sourceMetadata.note).toMatch(/^Stale: retired 2026-05-12/);
  });

  it('reads @pydantic/genai-prices from its bundled data, offline', () => {
    expect(genaiPricesLookup(new Date('2026-12-07'))('openai', 'gpt-4o')).toMatchObject({ input: 2.5, output: 10, cachedInput: 1.25 });
    expect(genaiPricesLookup(new Date('2026-12-07'))('openai', 'no-such-model-anywhere')).toBeUndefined();
  });

  it('the built catalog says so on a retired row', () => {
    expect(getModel('dall-e-3', 'openai').sourceMetadata.note).toMatch(/Stale: retired 2026-05-12/);
  });
});

describe('no row routes where the official SDKs refuse to go', () => {
  const rows = listModels({ all: true }).data;

  it('Gemini API rows use no Imagen or Veo (@google/genai 3.6 refuses generateImages and generateVideos there)', () => {
    const gemini = rows.filter((row) => row.provider === 'gemini');
    expect(gemini.filter((row) => /^(imagen|veo)-/.test(row.upstreamModelId))).toEqual([]);
    expect(gemini.flatMap((row) => row.operations.map((entry) => entry.operation))).not.toContain('video-generation');
  });

  it('Cartesia rows are models of the SDK’s TTSModel and STTBatchModel lists', () => {
    const cartesia = rows.filter((row) => row.provider === 'cartesia').map((row) => row.upstreamModelId);
    expect(cartesia.every((id) => /^(sonic-3|sonic-3\.5|sonic-latest|ink-whisper)/.test(id))).toBe(true);
    expect(cartesia).not.toContain('sonic-2');
  });
});
