/**
 * Turns a draft (facts about one model on one provider) into the row the API serves: top-level input and
 * output, the pricing summary, capabilities and params are all derived here, in one place.
 */
import { deriveParams } from './params.ts';
import { providerRank } from './preference.ts';
import type { Capabilities, CatalogRecord, ModelRow, OperationCapability, ParamSpec, PricingSummary, SourceMetadata } from './types.ts';

export interface RecordDraft {
  readonly modelId: string;
  readonly upstreamModelId: string;
  readonly name: string;
  readonly provider: ModelRow['provider'];
  readonly family: string;
  readonly ownedBy: string;
  readonly description: string;
  readonly createdAt?: string;
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly operations: readonly OperationCapability[];
  readonly capabilities?: Partial<Capabilities>;
  readonly paramOverrides?: Readonly<Record<string, ParamSpec>>;
  readonly sourceMetadata: SourceMetadata;
  readonly curated: boolean;
  readonly hfInferenceProvider?: string;
  readonly hfProviderId?: string;
}

const union = (lists: readonly (readonly string[])[]): string[] => [...new Set(lists.flat())];

const defaultUnit = (operation: OperationCapability) => operation.pricingUnits.find((unit) => unit.default) ?? operation.pricingUnits[0];

const summarize = (operation: OperationCapability): PricingSummary => {
  const unit = defaultUnit(operation);
  return { currency: 'USD', unit: unit?.unit ?? 'unpriced', ...unit?.entries };
};

const capabilitiesOf = (draft: RecordDraft): Capabilities => {
  const generatesText = draft.operations.some((operation) => operation.operation === 'text-generation');
  return {
    streaming: draft.operations.some((operation) => operation.streamable),
    toolCalls: false,
    reasoning: false,
    vision: generatesText && draft.operations.some((operation) => operation.input.includes('image')),
    attachments: false,
    structuredOutputs: false,
    temperature: generatesText,
    ...draft.capabilities,
  };
};

export const toRecord = (draft: RecordDraft): CatalogRecord => {
  const [primary] = draft.operations;
  if (!primary) throw new Error(`${draft.provider}/${draft.modelId} has no operation`);
  const capabilities = capabilitiesOf(draft);
  return {
    modelId: draft.modelId,
    upstreamModelId: draft.upstreamModelId,
    name: draft.name,
    provider: draft.provider,
    family: draft.family,
    type: primary.modality,
    description: draft.description,
    input: union(draft.operations.map((operation) => operation.input)),
    output: union(draft.operations.map((operation) => operation.output)),
    contextWindow: draft.contextWindow ?? null,
    ...(draft.maxOutputTokens ? { maxOutputTokens: draft.maxOutputTokens } : {}),
    pricing: summarize(primary),
    capabilities,
    params: deriveParams({ operations: draft.operations, capabilities, ...(draft.maxOutputTokens ? { maxOutputTokens: draft.maxOutputTokens } : {}) }, draft.paramOverrides),
    operations: draft.operations,
    ownedBy: draft.ownedBy,
    ...(draft.createdAt ? { createdAt: draft.createdAt } : {}),
    available: true,
    availableFrom: [],
    sourceMetadata: draft.sourceMetadata,
    ...(draft.hfInferenceProvider ? { hfInferenceProvider: draft.hfInferenceProvider } : {}),
    ...(draft.hfProviderId ? { hfProviderId: draft.hfProviderId } : {}),
    curated: draft.curated,
  };
};

/** Fills `availableFrom`: every provider serving the same modelId, in resolution preference order. */
export const withAvailability = (rows: readonly CatalogRecord[]): CatalogRecord[] => {
  const providersById = new Map<string, CatalogRecord['provider'][]>();
  for (const row of rows) providersById.set(row.modelId, [...(providersById.get(row.modelId) ?? []), row.provider]);
  return rows.map((row) => ({
    ...row,
    availableFrom: [...(providersById.get(row.modelId) ?? [])].sort((a, b) => providerRank(a) - providerRank(b)),
  }));
};
