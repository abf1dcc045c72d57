/**
 * A strict schema of the rows this catalog serves: the spec's `Model` plus the fixed shapes this gateway
 * gives its open fields. The build refuses to write a catalog with a row that does not match.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { CANONICAL_MODALITIES, CANONICAL_OPERATIONS, MODEL_PROVIDERS, type CanonicalOperation } from './enums.ts';

const price = z.number().finite().nonnegative();

export const pricingUnitSchema = z
  .object({
    unitKey: z.enum(['tokens', 'images', 'characters', 'audio_minutes', 'video_seconds', 'requests']),
    unit: z.string().min(1),
    header: z.string().min(1),
    entries: z.record(z.string(), price),
    valueKeys: z.array(z.string()),
    default: z.boolean().optional(),
  })
  .refine((unit) => unit.valueKeys.join() === Object.keys(unit.entries).join(), 'valueKeys must list the entries keys')
  .refine((unit) => Object.values(unit.entries).some((value) => value > 0), 'a pricing unit needs at least one positive price');

/**
 * The pricing conventions the pricing engine relies on: which unit each operation is billed in and which
 * entry keys that unit may carry. A row that breaks them could not be charged, so it never enters the catalog.
 */
export const PRICING_CONVENTIONS: Readonly<Record<CanonicalOperation, { readonly unitKey: string; readonly keys: RegExp; readonly required: readonly string[] }>> = {
  'text-generation': { unitKey: 'tokens', keys: /^(input|output|cached_input|cache_write|reasoning)$/, required: ['input', 'output'] },
  embeddings: { unitKey: 'tokens', keys: /^input$/, required: ['input'] },
  'image-generation': { unitKey: 'images', keys: /^(default|[a-z]+:\d+x\d+)$/, required: [] },
  'image-edit': { unitKey: 'images', keys: /^(default|[a-z]+:\d+x\d+)$/, required: [] },
  'object-detection': { unitKey: 'requests', keys: /^default$/, required: ['default'] },
  'image-classification': { unitKey: 'requests', keys: /^default$/, required: ['default'] },
  speech: { unitKey: 'characters', keys: /^input$/, required: ['input'] },
  transcription: { unitKey: 'audio_minutes', keys: /^input$/, required: ['input'] },
  'video-generation': { unitKey: 'video_seconds', keys: /^(default|\d+p)$/, required: [] },
  // The provider's price per request (0 where it does not charge) and the gateway's flat fee per request.
  moderation: { unitKey: 'requests', keys: /^(default|platform_fee)$/, required: ['default', 'platform_fee'] },
};

const followsConvention = (operation: { operation: string; pricingUnits: readonly { unitKey: string; entries: Record<string, number>; default?: boolean | undefined }[] }): boolean => {
  const convention = PRICING_CONVENTIONS[operation.operation as CanonicalOperation];
  const unit = operation.pricingUnits.find((candidate) => candidate.default);
  if (!convention || !unit || unit.unitKey !== convention.unitKey) return false;
  const keys = Object.keys(unit.entries);
  return keys.every((key) => convention.keys.test(key)) && convention.required.every((key) => keys.includes(key));
};

export const operationSchema = z
  .object({
    modality: z.enum(CANONICAL_MODALITIES),
    operation: z.enum(CANONICAL_OPERATIONS as [string, ...string[]]),
    sourceTypes: z.array(z.string()).min(1),
    input: z.array(z.string()).min(1),
    output: z.array(z.string()).min(1),
    pricingUnits: z.array(pricingUnitSchema).min(1),
    streamable: z.boolean(),
  })
  .refine((operation) => operation.pricingUnits.filter((unit) => unit.default).length === 1, 'exactly one default pricing unit')
  .refine(followsConvention, 'the default pricing unit breaks the pricing convention of its operation');

const paramSchema = z.object({
  type: z.enum(['number', 'integer', 'string', 'boolean', 'array', 'object']),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  default: z.unknown().optional(),
  enum: z.array(z.union([z.string(), z.number()])).optional(),
  description: z.string().min(1),
});

export const modelRowSchema = z.object({
  modelId: z.string().min(1),
  upstreamModelId: z.string().min(1),
  name: z.string().min(1),
  provider: z.enum(MODEL_PROVIDERS),
  family: z.string().min(1),
  type: z.enum(CANONICAL_MODALITIES),
  description: z.string().min(1),
  input: z.array(z.string()).min(1),
  output: z.array(z.string()).min(1),
  contextWindow: z.number().int().positive().nullable(),
  maxOutputTokens: z.number().int().positive().optional(),
  pricing: z.object({ currency: z.literal('USD'), unit: z.string() }).catchall(z.union([z.string(), z.number()])),
  capabilities: z.object({
    streaming: z.boolean(),
    toolCalls: z.boolean(),
    reasoning: z.boolean(),
    vision: z.boolean(),
    attachments: z.boolean(),
    structuredOutputs: z.boolean(),
    temperature: z.boolean(),
  }),
  params: z.record(z.string(), paramSchema),
  operations: z.array(operationSchema).min(1),
  ownedBy: z.string().min(1),
  createdAt: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/).optional(),
  available: z.boolean(),
  availableFrom: z.array(z.enum(MODEL_PROVIDERS)).min(1),
  sourceMetadata: z.object({
    origin: z.enum(['models.dev', 'curated']),
    pricingSource: z.url(),
    priceVerified: z.boolean(),
    note: z.string().optional(),
  }),
  hfInferenceProvider: z.string().optional(),
  hfProviderId: z.string().optional(),
});

export const catalogRecordSchema = modelRowSchema.extend({ curated: z.boolean() });
