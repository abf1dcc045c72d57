/** Imagen and Veo (Vertex AI), Gemini image models (Gemini API), and Gemini embeddings on both. */
import type { ModelProvider } from '../enums.ts';
import { perImage, perMillionTokens, perVideoSecond } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

interface GoogleMediaSpec {
  readonly modelId: string;
  readonly name: string;
  readonly family: string;
  readonly description: string;
  readonly createdAt: string;
  readonly operations: CuratedModel['operations'];
  readonly contextWindow?: number;
  readonly params?: CuratedModel['params'];
  readonly curated?: boolean;
}

const VEO_PARAMS = {
  durationSeconds: { type: 'integer', minimum: 4, maximum: 8, default: 8, description: 'Clip length in seconds.' },
  aspectRatio: { type: 'string', enum: ['16:9', '9:16'], default: '16:9', description: 'Frame aspect ratio.' },
} as const;

const imageToo = { sourceTypes: ['text', 'image'], input: ['text', 'image'] };

/** Models offered at the same list price on the Gemini API and on Vertex AI. */
const SHARED: readonly GoogleMediaSpec[] = [
  {
    modelId: 'gemini-embedding-001',
    name: 'Gemini Embedding',
    family: 'gemini-embedding',
    description: 'Multilingual text embeddings (3072 dimensions, shortenable) for retrieval and classification.',
    createdAt: '2025-05-20',
    contextWindow: 2048,
    operations: [op('embeddings', perMillionTokens({ input: 0.15 }))],
    params: { dimensions: { type: 'integer', minimum: 128, maximum: 3072, default: 3072, description: 'Output vector length.' } },
  },
];

/**
 * Vertex AI only. @google/genai 3.6 refuses `generateImages` (Imagen's `:predict`) and `generateVideos` (Veo's
 * `:predictLongRunning`) on the Gemini API ("only supported by the Gemini Enterprise Agent Platform"), so Imagen and
 * Veo are Vertex rows, and the Gemini API offers its own image models instead.
 */
const VERTEX_ONLY: readonly GoogleMediaSpec[] = [
  {
    modelId: 'veo-3.0-generate-001',
    name: 'Veo 3',
    family: 'veo-3',
    description: 'Video generation with native audio, 720p or 1080p, from text or a first frame.',
    createdAt: '2025-07-17',
    operations: [op('video-generation', perVideoSecond({ default: 0.4 }), imageToo)],
    params: VEO_PARAMS,
  },
  {
    modelId: 'veo-3.0-fast-generate-001',
    name: 'Veo 3 Fast',
    family: 'veo-3',
    description: 'Faster, cheaper Veo 3 with audio.',
    createdAt: '2025-07-17',
    operations: [op('video-generation', perVideoSecond({ default: 0.15 }), imageToo)],
    params: VEO_PARAMS,
  },
  {
    modelId: 'imagen-4.0-generate-001',
    name: 'Imagen 4',
    family: 'imagen-4',
    description: 'Google\'s text-to-image model with strong typography and detail.',
    createdAt: '2025-08-14',
    operations: [op('image-generation', perImage({ default: 0.04 }))],
  },
  {
    modelId: 'imagen-4.0-fast-generate-001',
    name: 'Imagen 4 Fast',
    family: 'imagen-4',
    description: 'Faster, cheaper Imagen 4 tier.',
    createdAt: '2025-08-14',
    operations: [op('image-generation', perImage({ default: 0.02 }))],
  },
  {
    modelId: 'imagen-4.0-ultra-generate-001',
    name: 'Imagen 4 Ultra',
    family: 'imagen-4',
    description: 'Highest-fidelity Imagen 4 tier.',
    createdAt: '2025-08-14',
    operations: [op('image-generation', perImage({ default: 0.06 }))],
    curated: false,
  },
];

/** Gemini API only. */
const GEMINI_ONLY: readonly GoogleMediaSpec[] = [
  {
    modelId: 'gemini-2.5-flash-image',
    name: 'Gemini 2.5 Flash Image',
    family: 'gemini-image',
    description: 'Gemini\'s native image generation and prompt-based editing (generateContent with image output).',
    createdAt: '2025-10-02',
    operations: [op('image-generation', perImage({ default: 0.039 })), op('image-edit', perImage({ default: 0.039 }))],
  },
];

const toRow = (provider: Extract<ModelProvider, 'gemini' | 'vertex'>) => (spec: GoogleMediaSpec): CuratedModel => ({
  modelId: spec.modelId,
  name: provider === 'vertex' ? `${spec.name} (Vertex AI)` : spec.name,
  provider,
  family: spec.family,
  ownedBy: 'google',
  description: spec.description,
  createdAt: spec.createdAt,
  ...(spec.contextWindow ? { contextWindow: spec.contextWindow } : {}),
  operations: spec.operations,
  ...(spec.params ? { params: spec.params } : {}),
  pricingSource: provider === 'vertex' ? PRICING_PAGES.vertex : PRICING_PAGES.gemini,
  priceVerified: false,
  note: 'Matches third-party copies of the Gemini API price list; Vertex lists the same SKUs at the same price.',
  ...(spec.curated === false ? { curated: false } : {}),
});

export const GOOGLE_MEDIA: readonly CuratedModel[] = [
  ...[...SHARED, ...GEMINI_ONLY].map(toRow('gemini')),
  ...[...SHARED, ...VERTEX_ONLY].map(toRow('vertex')),
];
