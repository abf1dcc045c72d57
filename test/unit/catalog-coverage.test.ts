import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CANONICAL_OPERATIONS, MODEL_PROVIDERS, getCatalog, getModel, listModels, type ModelRow } from '../../shared/catalog/index.ts';
import { modelRowSchema } from '../../shared/catalog/model-schema.ts';
import { meter, type Measured } from '../../shared/pricing/index.ts';
import { expectMatchesContract } from '../support/openapi.ts';

const all = listModels({ all: true }).data;
const rowOf = (provider: string, modelId: string): ModelRow | undefined => all.find((row) => row.provider === provider && row.modelId === modelId);
const operationsOf = (provider: string) => new Set(all.filter((row) => row.provider === provider).flatMap((row) => row.operations.map((operation) => operation.operation)));

describe('the generated catalog', () => {
  it('serves models from every provider the spec names', () => {
    expect(new Set(all.map((row) => row.provider))).toEqual(new Set(MODEL_PROVIDERS));
  });

  it('serves every canonical operation', () => {
    expect(new Set(all.flatMap((row) => row.operations.map((operation) => operation.operation)))).toEqual(new Set(CANONICAL_OPERATIONS));
  });

  it('matches the Model schema row by row, and the OpenAPI document as lists', () => {
    for (const row of all) expect(modelRowSchema.safeParse(row).error?.issues ?? [], `${row.provider}/${row.modelId}`).toEqual([]);
    expectMatchesContract('/v1/models/all', 'GET', 200, listModels({ all: true }));
    expectMatchesContract('/v1/models', 'GET', 200, listModels());
  });

  it('holds one row per provider and model id', () => {
    const keys = all.map((row) => `${row.provider}/${row.modelId}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('carries real prices: every operation has a positive price in its default unit', () => {
    for (const row of all) {
      for (const operation of row.operations) {
        const unit = operation.pricingUnits.find((candidate) => candidate.default)!;
        expect(Math.max(...Object.values(unit.entries)), `${row.provider}/${row.modelId} ${operation.operation}`).toBeGreaterThan(0);
      }
    }
  });

  it('can be billed by the pricing engine for every operation of every row', () => {
    const usage: Record<string, Measured> = {
      tokens: { kind: 'tokens', usage: { inputTokens: 1000, outputTokens: 100 } },
      images: { kind: 'images', count: 1 },
      characters: { kind: 'characters', characters: 1000 },
      audio_minutes: { kind: 'audio_minutes', seconds: 60 },
      video_seconds: { kind: 'video_seconds', seconds: 4 },
      requests: { kind: 'requests', count: 1 },
    };
    for (const row of all) {
      for (const operation of row.operations) {
        const unit = operation.pricingUnits.find((candidate) => candidate.default)!;
        const charge = meter(operation.pricingUnits, usage[unit.unitKey]!, { feeBps: 0 });
        // Moderation is free at the provider: the gateway's flat platform fee is all it costs.
        const billed = operation.operation === 'moderation' ? charge.platform_fee_wei : charge.provider_amount_wei;
        expect(BigInt(billed), `${row.provider}/${row.modelId} ${operation.operation}`).toBeGreaterThan(0n);
      }
    }
  });

  it('takes text prices, limits and capabilities from models.dev', () => {
    expect(rowOf('openai', 'gpt-4o')).toMatchObject({
      pricing: { currency: 'USD', unit: 'usd_per_million_tokens', input: 2.5, output: 10 },
      contextWindow: 128_000,
      maxOutputTokens: 16_384,
      capabilities: { toolCalls: true, vision: true, streaming: true },
      sourceMetadata: { origin: 'models.dev' },
    });
    expect(rowOf('gemini', 'gemini-2.5-pro')?.pricing).toMatchObject({ input: 1.25, output: 10 });
  });

  it('cites a public pricing page for every price', () => {
    for (const row of all) expect(row.sourceMetadata.pricingSource, `${row.provider}/${row.modelId}`).toMatch(/^https:\/\/[a-z0-9.-]+\.[a-z]+\//);
  });

  it('covers the media models of each provider', () => {
    const expected: Record<string, readonly string[]> = {
      openai: ['gpt-image-1', 'dall-e-3', 'tts-1', 'gpt-4o-mini-tts', 'whisper-1', 'gpt-4o-transcribe', 'sora-2', 'text-embedding-3-small', 'text-embedding-3-large'],
      gemini: ['gemini-2.5-flash-image', 'gemini-embedding-001'],
      vertex: ['imagen-4.0-generate-001', 'veo-3.0-generate-001', 'gemini-embedding-001'],
      azure: ['gpt-image-1', 'dall-e-3', 'tts', 'whisper', 'text-embedding-3-small'],
      fireworks: ['accounts/fireworks/models/flux-kontext-pro', 'accounts/fireworks/models/flux-1-schnell-fp8'],
      alibaba: ['wan2.1-t2i-turbo', 'wan2.1-t2v-turbo', 'text-embedding-v3'],
      cloudflare: ['@cf/black-forest-labs/flux-1-schnell', '@cf/myshell-ai/melotts', '@cf/openai/whisper'],
      'hugging face': ['black-forest-labs/FLUX.1-schnell', 'Qwen/Qwen3-Embedding-8B'],
      deepgram: ['nova-3', 'aura-2'],
      elevenlabs: ['eleven_multilingual_v2', 'scribe_v1'],
      cartesia: ['sonic-3', 'ink-whisper'],
      roboflow: ['rfdetr-small', 'clip-vit-b-16'],
      aiml: ['gpt-4o'],
      asicloud: ['asi1-mini'],
    };
    const missing = Object.entries(expected).flatMap(([provider, ids]) => ids.filter((id) => !rowOf(provider, id)).map((id) => `${provider}/${id}`));
    expect(missing).toEqual([]);
  });

  it('offers each provider the operations it sells', () => {
    expect(operationsOf('openai')).toEqual(new Set(['text-generation', 'moderation', 'embeddings', 'image-generation', 'image-edit', 'speech', 'transcription', 'video-generation']));
    expect(operationsOf('deepgram')).toEqual(new Set(['speech', 'transcription']));
    expect(operationsOf('roboflow')).toEqual(new Set(['object-detection', 'image-classification']));
    expect(operationsOf('alibaba')).toEqual(new Set(['text-generation', 'embeddings', 'image-generation', 'image-edit', 'video-generation']));
  });

  it('prices media in the unit the pricing engine expects for each operation', () => {
    expect(getModel('dall-e-3').operations[0]!.pricingUnits[0]).toMatchObject({ unitKey: 'images', unit: 'usd_per_image', entries: { 'hd:1024x1792': 0.12 } });
    expect(getModel('tts-1').operations[0]!.pricingUnits[0]).toMatchObject({ unitKey: 'characters', entries: { input: 15 } });
    expect(getModel('whisper-1').operations[0]!.pricingUnits[0]).toMatchObject({ unitKey: 'audio_minutes', unit: 'usd_per_minute', entries: { input: 0.006 } });
    expect(getModel('sora-2').operations[0]!.pricingUnits[0]).toMatchObject({ unitKey: 'video_seconds', entries: { '720p': 0.1 } });
    expect(getModel('rfdetr-small').operations[0]!.pricingUnits[0]).toMatchObject({ unitKey: 'requests', unit: 'usd_per_request' });
  });

  it('keeps a short curated view next to the full catalog', () => {
    const curated = listModels().data;
    expect(curated.length).toBeLessThan(all.length);
    expect(curated.map((row) => `${row.provider}/${row.modelId}`)).toEqual(expect.arrayContaining(['openai/gpt-4o', 'gemini/gemini-2.5-flash', 'openai/gpt-image-1']));
    expect(curated.map((row) => row.modelId)).not.toContain('gpt-3.5-turbo');
    expect(curated.every((row) => !('curated' in row))).toBe(true);
  });

  it('stays small enough to bundle into a function', () => {
    const bytes = statSync(new URL('../../shared/catalog/generated/catalog.json', import.meta.url)).size;
    expect(bytes).toBeLessThan(300 * 1024);
    expect(getCatalog().entries.length).toBe(all.length);
  });
});
