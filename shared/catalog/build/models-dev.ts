/**
 * models.dev provider data → drafts. Only chat-capable text models with a real token price become rows;
 * everything else is reported back as skipped so the build can say what it left out and why. Media models
 * models.dev happens to list (image, audio) are priced in other units and come from the curated table instead.
 */
import type { ModelsDevMapping } from '../data/models-dev-providers.ts';
import { operationCapability } from '../operations.ts';
import { perMillionTokens } from '../pricing-units.ts';
import { familyOf, ownerOf } from './naming.ts';
import type { RecordDraft } from '../record.ts';

/** The subset of a models.dev model entry the catalog reads. */
export interface ModelsDevModel {
  readonly id: string;
  readonly name?: string;
  readonly attachment?: boolean;
  readonly reasoning?: boolean;
  readonly temperature?: boolean;
  readonly tool_call?: boolean;
  readonly structured_output?: boolean;
  readonly release_date?: string;
  readonly modalities?: { readonly input?: readonly string[]; readonly output?: readonly string[] };
  readonly cost?: {
    readonly input?: number;
    readonly output?: number;
    readonly cache_read?: number;
    readonly cache_write?: number;
    readonly reasoning?: number;
  };
  readonly limit?: { readonly context?: number; readonly output?: number };
}

export interface ModelsDevProvider {
  readonly id: string;
  readonly name: string;
  readonly models: Readonly<Record<string, ModelsDevModel>>;
}

export type SkipReason = 'not-text' | 'unpriced' | 'no-context' | 'unknown-wire-id';

export interface ModelsDevResult {
  readonly drafts: RecordDraft[];
  readonly skipped: { readonly id: string; readonly reason: SkipReason }[];
}

const positive = (value: number | undefined): value is number => typeof value === 'number' && value > 0;

const skipReason = (model: ModelsDevModel): SkipReason | undefined => {
  const input = model.modalities?.input ?? ['text'];
  const output = model.modalities?.output ?? ['text'];
  if (!input.includes('text') || !output.includes('text') || output.length > 1) return 'not-text';
  if (!positive(model.cost?.input) && !positive(model.cost?.output)) return 'unpriced';
  if (!positive(model.limit?.context)) return 'no-context';
  return undefined;
};

const compactCount = (tokens: number): string =>
  tokens >= 1_000_000 ? `${Math.round(tokens / 100_000) / 10}M` : `${Math.round(tokens / 1000)}K`;

const describe = (name: string, owner: string, providerName: string, model: ModelsDevModel, isEmbedding: boolean): string => {
  const traits = [
    model.reasoning && 'reasoning',
    model.tool_call && 'tool calling',
    model.modalities?.input?.includes('image') && 'image input',
  ].filter(Boolean);
  const context = model.limit?.context ? `${compactCount(model.limit.context)}-token context` : undefined;
  const kind = isEmbedding ? 'Embedding model' : 'Text model';
  return [`${kind} ${name} by ${owner}, served by ${providerName}.`, [context, ...traits].filter(Boolean).join(', ')]
    .filter(Boolean)
    .join(' ')
    .replace(/([^.])$/, '$1.');
};

const draftFor = (source: ModelsDevProvider, mapping: ModelsDevMapping, model: ModelsDevModel, wireId: string): RecordDraft => {
  const isEmbedding = /embed/i.test(model.id);
  const cost = model.cost ?? {};
  const input = [...(model.modalities?.input ?? ['text'])];
  const owner = ownerOf(model.id, mapping.provider);
  const name = model.name ?? model.id;
  const operation = isEmbedding
    ? operationCapability('embeddings', [perMillionTokens({ input: cost.input ?? 0 })])
    : operationCapability(
        'text-generation',
        [
          perMillionTokens({
            input: cost.input ?? 0,
            output: cost.output ?? 0,
            ...(positive(cost.cache_read) ? { cached_input: cost.cache_read } : {}),
            ...(positive(cost.cache_write) ? { cache_write: cost.cache_write } : {}),
            ...(positive(cost.reasoning) ? { reasoning: cost.reasoning } : {}),
          }),
        ],
        { sourceTypes: input, input },
      );
  const toolCalls = !isEmbedding && model.tool_call === true;
  return {
    modelId: wireId,
    upstreamModelId: wireId,
    name,
    provider: mapping.provider,
    family: familyOf(model.id),
    ownedBy: owner,
    description: describe(name, owner, source.name, model, isEmbedding),
    ...(model.release_date ? { createdAt: model.release_date } : {}),
    ...(positive(model.limit?.context) ? { contextWindow: model.limit.context } : {}),
    ...(!isEmbedding && positive(model.limit?.output) ? { maxOutputTokens: model.limit.output } : {}),
    operations: [operation],
    capabilities: {
      toolCalls,
      reasoning: model.reasoning === true,
      attachments: model.attachment === true,
      temperature: !isEmbedding && model.temperature !== false,
      structuredOutputs: model.structured_output ?? (toolCalls && mapping.structuredOutputsWithTools),
    },
    sourceMetadata: {
      origin: 'models.dev',
      pricingSource: mapping.pricingSource,
      priceVerified: false,
    },
    curated: mapping.curated.includes(model.id),
  };
};

export const draftsFromModelsDev = (source: ModelsDevProvider, mapping: ModelsDevMapping): ModelsDevResult => {
  const result: ModelsDevResult = { drafts: [], skipped: [] };
  for (const model of Object.values(source.models)) {
    const reason = skipReason(model);
    const wireId = mapping.wireId ? mapping.wireId(model.id) : model.id;
    if (reason) result.skipped.push({ id: model.id, reason });
    else if (!wireId) result.skipped.push({ id: model.id, reason: 'unknown-wire-id' });
    else result.drafts.push(draftFor(source, mapping, model, wireId));
  }
  return result;
};
