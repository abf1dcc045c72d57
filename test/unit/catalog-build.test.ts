import { describe, expect, it } from 'vitest';
import { assembleCatalog } from '../../shared/catalog/build/assemble.ts';
import { draftFromCurated } from '../../shared/catalog/build/curated.ts';
import { draftsFromModelsDev, type ModelsDevProvider } from '../../shared/catalog/build/models-dev.ts';
import { op, type CuratedModel } from '../../shared/catalog/data/curated-model.ts';
import { MODELS_DEV_PROVIDERS, type ModelsDevMapping } from '../../shared/catalog/data/models-dev-providers.ts';
import { perImage, perMillionCharacters, perMillionTokens } from '../../shared/catalog/pricing-units.ts';
import { toRecord, type RecordDraft } from '../../shared/catalog/record.ts';
import { hydrateCatalog } from '../../shared/catalog/stored-format.ts';

const chat = {
  id: 'chat-1',
  name: 'Chat One',
  tool_call: true,
  reasoning: true,
  temperature: true,
  attachment: true,
  release_date: '2025-01-02',
  modalities: { input: ['text', 'image'], output: ['text'] },
  cost: { input: 1, output: 4, cache_read: 0.25 },
  limit: { context: 200_000, output: 32_000 },
};

const feed: ModelsDevProvider = {
  id: 'example',
  name: 'Example AI',
  models: {
    'chat-1': chat,
    'free-chat': { ...chat, id: 'free-chat', cost: { input: 0, output: 0 } },
    'no-price': { ...chat, id: 'no-price', cost: undefined },
    painter: { ...chat, id: 'painter', modalities: { input: ['text'], output: ['image'] } },
    listener: { ...chat, id: 'listener', modalities: { input: ['audio'], output: ['text'] } },
    summarizer: { ...chat, id: 'summarizer', limit: { context: 0, output: 0 } },
    'embed-small': { id: 'embed-small', name: 'Embed Small', modalities: { input: ['text'], output: ['text'] }, cost: { input: 0.02, output: 0 }, limit: { context: 8192, output: 1 } },
  },
};

const mapping: ModelsDevMapping = { provider: 'openai', pricingSource: 'https://example.com/pricing', structuredOutputsWithTools: true, curated: ['chat-1'] };

const curated = (overrides: Partial<CuratedModel> = {}): CuratedModel => ({
  modelId: 'voice-1',
  name: 'Voice One',
  provider: 'elevenlabs',
  family: 'voice',
  ownedBy: 'elevenlabs',
  description: 'A voice.',
  operations: [op('speech', perMillionCharacters(50))],
  pricingSource: 'https://example.com/pricing',
  priceVerified: false,
  ...overrides,
});

describe('reading models.dev', () => {
  const { drafts, skipped } = draftsFromModelsDev(feed, mapping);
  const byId = new Map(drafts.map((draft) => [draft.modelId, draft]));

  it('keeps priced chat models with a context window and says why it skipped the rest', () => {
    expect([...byId.keys()].sort()).toEqual(['chat-1', 'embed-small']);
    expect(Object.fromEntries(skipped.map((entry) => [entry.id, entry.reason]))).toEqual({
      'free-chat': 'unpriced',
      'no-price': 'unpriced',
      painter: 'not-text',
      listener: 'not-text',
      summarizer: 'no-context',
    });
  });

  it('carries real token prices, limits and capabilities into the row', () => {
    const row = toRecord(byId.get('chat-1')!);
    expect(row.operations[0]!.pricingUnits).toEqual([perMillionTokens({ input: 1, output: 4, cached_input: 0.25 })]);
    expect(row).toMatchObject({
      contextWindow: 200_000,
      maxOutputTokens: 32_000,
      createdAt: '2025-01-02',
      input: ['text', 'image'],
      capabilities: { streaming: true, toolCalls: true, reasoning: true, vision: true, attachments: true, structuredOutputs: true, temperature: true },
      curated: true,
      sourceMetadata: { origin: 'models.dev', pricingSource: 'https://example.com/pricing' },
    });
    expect(row.params['max_tokens']).toMatchObject({ maximum: 32_000 });
    expect(row.params['reasoning_effort']).toBeDefined();
  });

  it('turns embedding models into embeddings operations billed on input tokens only', () => {
    const row = toRecord(byId.get('embed-small')!);
    expect(row.type).toBe('embedding');
    expect(row.operations.map((operation) => operation.operation)).toEqual(['embeddings']);
    expect(row.operations[0]!.pricingUnits[0]!.entries).toEqual({ input: 0.02 });
    expect(row.curated).toBe(false);
  });

  it('gives Workers AI models their namespaced wire ids and drops those it cannot name', () => {
    const cloudflare = MODELS_DEV_PROVIDERS['cloudflare-workers-ai']!;
    const workers: ModelsDevProvider = {
      id: 'cloudflare-workers-ai',
      name: 'Cloudflare Workers AI',
      models: { 'llama-3.3-70b-instruct-fp8-fast': { ...chat, id: 'llama-3.3-70b-instruct-fp8-fast' }, 'mystery-7b': { ...chat, id: 'mystery-7b' } },
    };
    const result = draftsFromModelsDev(workers, cloudflare);
    expect(result.drafts.map((draft) => [draft.modelId, draft.upstreamModelId])).toEqual([
      ['@cf/meta/llama-3.3-70b-instruct-fp8-fast', '@cf/meta/llama-3.3-70b-instruct-fp8-fast'],
    ]);
    expect(result.skipped).toEqual([{ id: 'mystery-7b', reason: 'unknown-wire-id' }]);
  });
});

describe('assembling the catalog', () => {
  const openaiChat = draftsFromModelsDev(feed, mapping).drafts.find((draft) => draft.modelId === 'chat-1')!;
  const azureChat: RecordDraft = { ...openaiChat, provider: 'azure', curated: false };

  it('lists every provider of a model id in availableFrom, preferred provider first', () => {
    const rows = hydrateCatalog(assembleCatalog([azureChat, openaiChat], {}).file);
    expect(rows.filter((row) => row.modelId === 'chat-1').map((row) => [row.provider, row.availableFrom])).toEqual([
      ['openai', ['openai', 'azure']],
      ['azure', ['openai', 'azure']],
    ]);
  });

  it('orders text before media and curated rows before the long tail', () => {
    const rows = hydrateCatalog(assembleCatalog([draftFromCurated(curated()), azureChat, openaiChat], {}).file);
    expect(rows.map((row) => `${row.provider}/${row.modelId}`)).toEqual(['openai/chat-1', 'azure/chat-1', 'elevenlabs/voice-1']);
  });

  it('lets a curated row replace the models.dev row for the same provider and id, and says so', () => {
    const replacement = draftFromCurated(
      curated({ modelId: 'chat-1', provider: 'openai', operations: [op('text-generation', perMillionTokens({ input: 2, output: 8 }))] }),
    );
    const { file, warnings } = assembleCatalog([openaiChat, replacement], {});
    const [row] = hydrateCatalog(file);
    expect(row!.operations[0]!.pricingUnits[0]!.entries).toEqual({ input: 2, output: 8 });
    expect(warnings).toEqual(['openai/chat-1: curated row replaces the models.dev row']);
  });

  it('stores facts only and rebuilds exactly the rows it validated', () => {
    const drafts = [openaiChat, draftFromCurated(curated())];
    const { file } = assembleCatalog(drafts, {});
    expect(JSON.stringify(file)).not.toContain('"params":{');
    expect(hydrateCatalog(file).map((row) => row.params)).toEqual(drafts.map((draft) => toRecord(draft).params));
  });

  it('names the version after the content, so the same data always gives the same version', () => {
    expect(assembleCatalog([openaiChat], {}).file.version).toBe(assembleCatalog([openaiChat], {}).file.version);
    expect(assembleCatalog([openaiChat], {}).file.version).not.toBe(assembleCatalog([azureChat], {}).file.version);
  });

  it('refuses a row priced in a unit its operation cannot be billed in', () => {
    const speechPerImage = draftFromCurated(curated({ operations: [op('speech', perImage({ default: 0.01 }))] }));
    expect(() => assembleCatalog([speechPerImage], {})).toThrow(/elevenlabs\/voice-1 operations\.0: the default pricing unit breaks the pricing convention/);
  });

  it('refuses a row that would be served for free', () => {
    const free = draftFromCurated(curated({ operations: [op('speech', perMillionCharacters(0))] }));
    expect(() => assembleCatalog([free], {})).toThrow(/at least one positive price/);
  });

  it('refuses a curated row without a pricing page', () => {
    const unsourced = draftFromCurated(curated({ pricingSource: 'see the website' }));
    expect(() => assembleCatalog([unsourced], {})).toThrow(/sourceMetadata\.pricingSource/);
  });
});
