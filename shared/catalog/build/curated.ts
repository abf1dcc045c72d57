/** Curated table rows → drafts: fills the operation shapes and the source metadata. */
import type { CuratedModel } from '../data/curated-model.ts';
import { operationCapability } from '../operations.ts';
import type { RecordDraft } from '../record.ts';

export const draftFromCurated = (model: CuratedModel): RecordDraft => ({
  modelId: model.modelId,
  upstreamModelId: model.upstreamModelId ?? model.modelId,
  name: model.name,
  provider: model.provider,
  family: model.family,
  ownedBy: model.ownedBy,
  description: model.description,
  ...(model.createdAt ? { createdAt: model.createdAt } : {}),
  ...(model.contextWindow ? { contextWindow: model.contextWindow } : {}),
  ...(model.maxOutputTokens ? { maxOutputTokens: model.maxOutputTokens } : {}),
  operations: model.operations.map((entry) => operationCapability(entry.operation, entry.pricing, entry.overrides)),
  ...(model.capabilities ? { capabilities: model.capabilities } : {}),
  ...(model.params ? { paramOverrides: model.params } : {}),
  sourceMetadata: {
    origin: 'curated',
    pricingSource: model.pricingSource,
    priceVerified: model.priceVerified,
    ...(model.note ? { note: model.note } : {}),
  },
  curated: model.curated ?? true,
  ...(model.hfInferenceProvider ? { hfInferenceProvider: model.hfInferenceProvider } : {}),
  ...(model.hfProviderId ? { hfProviderId: model.hfProviderId } : {}),
});
