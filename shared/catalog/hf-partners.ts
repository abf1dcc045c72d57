/**
 * The catalog's word on which Hugging Face partner serves a model, given to the HF media adapter by whoever
 * wires it (the adapter layer never reads the catalog itself).
 */
import type { PartnerResolver } from '../../layers/providers/huggingface/media/partners.ts';
import { getCatalog } from './index.ts';

/** The catalog's partner for a Hugging Face wire model, when it names one. */
export const catalogPartner: PartnerResolver = (model) => {
  const row = getCatalog().entries.find((entry) => entry.row.provider === 'hugging face' && entry.row.upstreamModelId === model)?.row;
  if (!row?.hfInferenceProvider) return undefined;
  return { partner: row.hfInferenceProvider, providerModelId: row.hfProviderId ?? model };
};
