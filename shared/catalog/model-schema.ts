/**
 * A strict schema of the rows this catalog serves: the spec's `Model` plus the fixed shapes this gateway
 * gives its open fields. The build refuses to write a catalog with a row that does not match.
 */
import { z } from 'zod';
import { CANONICAL_MODALITIES, CANONICAL_OPERATIONS, MODEL_PROVIDERS } from './enums.ts';

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
  .refine((operation) => operation.pricingUnits.filter((unit) => unit.default).length === 1, 'exactly one default pricing unit');

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
