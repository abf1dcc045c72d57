/**
 * Which Inference Provider serves a Hub model on the router, and under which id. A `repo/model:provider`
 * suffix names it explicitly; otherwise the injected resolver does (the gateway's reads the catalog row's
 * `hfInferenceProvider` and `hfProviderId`: shared/catalog/hf-partners.ts); otherwise Hugging Face's own
 * `hf-inference` serves the Hub id.
 */

/** The partners the gateway calls, each one @huggingface/inference 4.13 lists for the task. */
export type HfPartner = 'hf-inference' | 'deepinfra' | 'fal-ai';

export interface HfRoute {
  readonly partner: HfPartner | (string & {});
  /** The model id the partner knows (fal: `fal-ai/flux/schnell`; others: the Hub id). */
  readonly providerModelId: string;
}

export type PartnerResolver = (model: string) => HfRoute | undefined;

/** The chat router's selection policies: they pick among partners, they do not name one. */
const POLICIES = new Set(['fastest', 'cheapest', 'preferred']);

export const resolveHfRoute = (model: string, resolver: PartnerResolver): HfRoute => {
  const [, id = model, named] = /^(.+):([a-z0-9-]+)$/.exec(model) ?? [];
  const known = resolver(id);
  if (named !== undefined && !POLICIES.has(named)) return { partner: named, providerModelId: known?.partner === named ? known.providerModelId : id };
  return known ?? { partner: 'hf-inference', providerModelId: id };
};
