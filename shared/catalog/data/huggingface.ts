/**
 * Hugging Face Inference Providers: the router forwards to a partner provider and passes its price through,
 * so each row names the partner (`hfInferenceProvider`, one @huggingface/inference lists for the task) and its model
 * id (`hfProviderId`: the last known one; the adapter asks the Hub for the current one at run time).
 */
import { perImage, perMillionTokens } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

const base = { provider: 'hugging face', pricingSource: PRICING_PAGES.huggingface, priceVerified: false } as const;

export const HUGGINGFACE_MEDIA: readonly CuratedModel[] = [
  {
    ...base,
    modelId: 'black-forest-labs/FLUX.1-schnell',
    name: 'FLUX.1 [schnell] (Hugging Face)',
    family: 'flux-1',
    ownedBy: 'black-forest-labs',
    description: 'Fast FLUX.1 text-to-image through Hugging Face Inference Providers (fal).',
    createdAt: '2024-08-01',
    operations: [op('image-generation', perImage({ default: 0.003 }))],
    hfInferenceProvider: 'fal-ai',
    hfProviderId: 'fal-ai/flux/schnell',
    note: 'fal bills $0.003 per megapixel; the price is a 1024x1024 image.',
  },
  {
    ...base,
    modelId: 'black-forest-labs/FLUX.1-dev',
    name: 'FLUX.1 [dev] (Hugging Face)',
    family: 'flux-1',
    ownedBy: 'black-forest-labs',
    description: 'Higher-quality FLUX.1 text-to-image through Hugging Face Inference Providers (fal).',
    createdAt: '2024-08-01',
    operations: [op('image-generation', perImage({ default: 0.025 }))],
    hfInferenceProvider: 'fal-ai',
    hfProviderId: 'fal-ai/flux/dev',
    note: 'fal bills $0.025 per megapixel; the price is a 1024x1024 image.',
    curated: false,
  },
  {
    ...base,
    modelId: 'Qwen/Qwen3-Embedding-8B',
    name: 'Qwen3 Embedding 8B (Hugging Face)',
    family: 'qwen3-embedding',
    ownedBy: 'qwen',
    description: 'Multilingual feature extraction (embeddings) through Hugging Face Inference Providers (DeepInfra).',
    createdAt: '2025-06-05',
    contextWindow: 32768,
    operations: [op('embeddings', perMillionTokens({ input: 0.01 }))],
    // @huggingface/inference 4.13 lists no nebius partner; DeepInfra is one it lists for feature extraction.
    hfInferenceProvider: 'deepinfra',
    hfProviderId: 'Qwen/Qwen3-Embedding-8B',
  },
];
