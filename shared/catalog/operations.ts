/**
 * What each canonical operation consumes and produces by default. Rows start from these and override only
 * where a model differs (a vision chat model adds `image` input, a streaming TTS model sets `streamable`).
 */
import { modalityOf, type CanonicalOperation } from './enums.ts';
import type { OperationCapability, PricingUnit } from './types.ts';

interface OperationShape {
  readonly sourceTypes: readonly string[];
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly streamable: boolean;
}

const SHAPES: Record<CanonicalOperation, OperationShape> = {
  'text-generation': { sourceTypes: ['text'], input: ['text'], output: ['text'], streamable: true },
  embeddings: { sourceTypes: ['text'], input: ['text'], output: ['embedding'], streamable: false },
  'image-generation': { sourceTypes: ['text'], input: ['text'], output: ['image'], streamable: false },
  'image-edit': { sourceTypes: ['image', 'text'], input: ['image', 'text'], output: ['image'], streamable: false },
  'object-detection': { sourceTypes: ['image'], input: ['image'], output: ['json'], streamable: false },
  'image-classification': { sourceTypes: ['image'], input: ['image'], output: ['json'], streamable: false },
  speech: { sourceTypes: ['text'], input: ['text'], output: ['audio'], streamable: false },
  transcription: { sourceTypes: ['audio'], input: ['audio'], output: ['text'], streamable: false },
  'video-generation': { sourceTypes: ['text'], input: ['text'], output: ['video'], streamable: false },
  moderation: { sourceTypes: ['text', 'image'], input: ['text', 'image'], output: ['json'], streamable: false },
};

export type OperationOverrides = Partial<OperationShape>;

export const operationCapability = (
  operation: CanonicalOperation,
  pricingUnits: readonly PricingUnit[],
  overrides: OperationOverrides = {},
): OperationCapability => ({
  modality: modalityOf(operation),
  operation,
  ...SHAPES[operation],
  ...overrides,
  pricingUnits,
});
