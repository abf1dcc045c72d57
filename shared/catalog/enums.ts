/**
 * The spec's closed vocabularies for the catalog (`ModelProvider`, `CanonicalModality`) and the canonical
 * operations each modality offers. Validation, indexes and the build step all read these, so a value the spec
 * does not name can never enter the catalog or pass a query.
 */
import type { ProviderId } from '../../layers/providers/types.ts';

export const MODEL_PROVIDERS = [
  'gemini',
  'openai',
  'fireworks',
  'asicloud',
  'alibaba',
  'hugging face',
  'azure',
  'aiml',
  'vertex',
  'cloudflare',
  'deepgram',
  'elevenlabs',
  'cartesia',
  'roboflow',
] as const satisfies readonly ProviderId[];

export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

// Fails to compile if the spec list and the adapter layer's ProviderId ever drift apart.
type MissingFromSpec = Exclude<ProviderId, ModelProvider>;
const providerListsAgree: [MissingFromSpec] extends [never] ? true : never = true;
void providerListsAgree;

export const CANONICAL_MODALITIES = ['text', 'image', 'audio', 'video', 'embedding', 'realtime'] as const;

export type CanonicalModality = (typeof CANONICAL_MODALITIES)[number];

/** Canonical operations per modality, in the order the modality views list them. */
export const OPERATIONS_BY_MODALITY = {
  text: ['text-generation', 'moderation'],
  image: ['image-generation', 'image-edit', 'object-detection', 'image-classification'],
  audio: ['speech', 'transcription'],
  video: ['video-generation'],
  embedding: ['embeddings'],
  realtime: [],
} as const satisfies Record<CanonicalModality, readonly string[]>;

export type CanonicalOperation = (typeof OPERATIONS_BY_MODALITY)[CanonicalModality][number];

export const CANONICAL_OPERATIONS: readonly CanonicalOperation[] = Object.values(OPERATIONS_BY_MODALITY).flat();

const modalityOfOperation = new Map<string, CanonicalModality>(
  (Object.entries(OPERATIONS_BY_MODALITY) as [CanonicalModality, readonly CanonicalOperation[]][]).flatMap(([modality, operations]) =>
    operations.map((operation) => [operation, modality] as const),
  ),
);

export const isModelProvider = (value: string): value is ModelProvider => (MODEL_PROVIDERS as readonly string[]).includes(value);

export const isCanonicalModality = (value: string): value is CanonicalModality =>
  (CANONICAL_MODALITIES as readonly string[]).includes(value);

export const isCanonicalOperation = (value: string): value is CanonicalOperation => modalityOfOperation.has(value);

export const modalityOf = (operation: CanonicalOperation): CanonicalModality => modalityOfOperation.get(operation)!;
