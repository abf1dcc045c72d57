/** Fireworks image and embedding models (its text models come from models.dev). */
import { perImage, perMillionTokens } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

const base = { provider: 'fireworks', pricingSource: PRICING_PAGES.fireworks, priceVerified: false } as const;
const imageToo = { sourceTypes: ['text', 'image'], input: ['text', 'image'] };

export const FIREWORKS_MEDIA: readonly CuratedModel[] = [
  {
    ...base,
    modelId: 'accounts/fireworks/models/flux-kontext-pro',
    name: 'FLUX.1 Kontext [pro]',
    family: 'flux-kontext',
    ownedBy: 'black-forest-labs',
    description: 'Context-aware image generation and instruction-based editing from Black Forest Labs; flat price per image.',
    createdAt: '2025-05-29',
    operations: [op('image-generation', perImage({ default: 0.04 }), imageToo), op('image-edit', perImage({ default: 0.04 }))],
    params: { aspect_ratio: { type: 'string', default: '1:1', description: 'Aspect ratio between 21:9 and 9:21.' } },
    note: 'Black Forest Labs lists Kontext [pro] at $0.04 per image; Fireworks resells at the same price.',
  },
  {
    ...base,
    modelId: 'accounts/fireworks/models/flux-kontext-max',
    name: 'FLUX.1 Kontext [max]',
    family: 'flux-kontext',
    ownedBy: 'black-forest-labs',
    description: 'Highest-quality FLUX.1 Kontext for generation and editing.',
    createdAt: '2025-05-29',
    operations: [op('image-generation', perImage({ default: 0.08 }), imageToo), op('image-edit', perImage({ default: 0.08 }))],
    params: { aspect_ratio: { type: 'string', default: '1:1', description: 'Aspect ratio between 21:9 and 9:21.' } },
  },
  {
    ...base,
    modelId: 'accounts/fireworks/models/flux-1-schnell-fp8',
    name: 'FLUX.1 [schnell] FP8',
    family: 'flux-1',
    ownedBy: 'black-forest-labs',
    description: 'Fast 4-step FLUX.1 text-to-image.',
    createdAt: '2024-08-01',
    operations: [op('image-generation', perImage({ default: 0.0014 }))],
    note: 'Fireworks bills $0.00035 per step; the price assumes the default 4 steps.',
  },
  {
    ...base,
    modelId: 'accounts/fireworks/models/flux-1-dev-fp8',
    name: 'FLUX.1 [dev] FP8',
    family: 'flux-1',
    ownedBy: 'black-forest-labs',
    description: 'Higher-quality FLUX.1 text-to-image.',
    createdAt: '2024-08-01',
    operations: [op('image-generation', perImage({ default: 0.014 }))],
    note: 'Fireworks bills $0.0005 per step; the price assumes the default 28 steps.',
    curated: false,
  },
  {
    ...base,
    modelId: 'nomic-ai/nomic-embed-text-v1.5',
    name: 'Nomic Embed Text v1.5',
    family: 'nomic-embed',
    ownedBy: 'nomic-ai',
    description: 'Open embedding model (768 dimensions, Matryoshka-shortenable) served by Fireworks.',
    contextWindow: 8192,
    operations: [op('embeddings', perMillionTokens({ input: 0.008 }))],
    curated: false,
  },
];
