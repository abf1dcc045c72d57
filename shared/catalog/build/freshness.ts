/**
 * Catalog freshness, offline: text prices cross-checked against a second maintained source
 * (@pydantic/genai-prices, injected as a lookup so the check stays testable), and rows marked from the retirement
 * table and from the second source's `deprecated` flags. Nothing here changes a price: differences are reported
 * for a person to settle against the provider's page.
 */
import type { RecordDraft } from '../record.ts';
import type { Retirement } from '../data/retirements.ts';

/** Our providers → genai-prices' provider ids. Unlisted providers have no second source (reported as such). */
export const SECOND_SOURCE_PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure',
  gemini: 'google',
  vertex: 'google',
  fireworks: 'fireworks',
  cloudflare: 'cloudflare',
};

/** What the second source says about one model: USD per million tokens, and whether it marks it deprecated. */
export interface SecondSourcePrice {
  readonly input?: number;
  readonly output?: number;
  readonly cachedInput?: number;
  readonly deprecated?: boolean;
}

export type PriceLookup = (sourceProvider: string, upstreamModelId: string) => SecondSourcePrice | undefined;

export interface PriceDisagreement {
  readonly provider: string;
  readonly modelId: string;
  readonly field: 'input' | 'output' | 'cached_input';
  readonly ours: number;
  readonly theirs: number;
  /** Relative to the second source. */
  readonly difference: number;
}

export interface FreshnessReport {
  readonly disagreements: readonly PriceDisagreement[];
  /** Text rows the second source does not price (or whose provider it does not cover). */
  readonly unchecked: readonly string[];
  readonly stale: readonly { readonly provider: string; readonly modelId: string; readonly reason: string }[];
  readonly unverified: readonly string[];
}

export const TOLERANCE = 0.05;

const FIELDS = [
  ['input', 'input'],
  ['output', 'output'],
  ['cached_input', 'cachedInput'],
] as const;

const textPrices = (draft: RecordDraft): Readonly<Record<string, number>> | undefined => {
  const operation = draft.operations.find((entry) => entry.operation === 'text-generation');
  return operation?.pricingUnits.find((unit) => unit.unitKey === 'tokens')?.entries as Readonly<Record<string, number>> | undefined;
};

export const checkFreshness = (drafts: readonly RecordDraft[], lookup: PriceLookup, retirements: readonly Retirement[], today: string): FreshnessReport => {
  const disagreements: PriceDisagreement[] = [];
  const unchecked: string[] = [];
  const stale: { provider: string; modelId: string; reason: string }[] = [];
  for (const draft of drafts) {
    const id = `${draft.provider}/${draft.modelId}`;
    const retired = retirements.find((entry) => entry.provider === draft.provider && entry.modelId === draft.modelId);
    if (retired) stale.push({ provider: draft.provider, modelId: draft.modelId, reason: `${retired.shutdownOn <= today ? 'retired' : 'shuts down'} ${retired.shutdownOn} (${retired.source})` });
    const ours = textPrices(draft);
    if (!ours) continue;
    const sourceProvider = SECOND_SOURCE_PROVIDERS[draft.provider];
    const theirs = sourceProvider ? lookup(sourceProvider, draft.upstreamModelId) : undefined;
    if (!theirs) {
      unchecked.push(id);
      continue;
    }
    if (theirs.deprecated && !retired) stale.push({ provider: draft.provider, modelId: draft.modelId, reason: 'deprecated (@pydantic/genai-prices)' });
    for (const [field, key] of FIELDS) {
      const mine = ours[field];
      const other = theirs[key];
      if (mine === undefined || other === undefined || other === 0) continue;
      const difference = Math.abs(mine - other) / other;
      if (difference > TOLERANCE) disagreements.push({ provider: draft.provider, modelId: draft.modelId, field, ours: mine, theirs: other, difference });
    }
  }
  const unverified = drafts.filter((draft) => !draft.sourceMetadata.priceVerified).map((draft) => `${draft.provider}/${draft.modelId}`);
  return { disagreements, unchecked, stale, unverified };
};

/** A stale row says so in its note, so `/v1/models` shows it too; the row itself is still served. */
export const markStale = (draft: RecordDraft, stale: FreshnessReport['stale']): RecordDraft => {
  const entry = stale.find((item) => item.provider === draft.provider && item.modelId === draft.modelId);
  if (!entry) return draft;
  const mark = `Stale: ${entry.reason}.`;
  return { ...draft, sourceMetadata: { ...draft.sourceMetadata, note: draft.sourceMetadata.note ? `${draft.sourceMetadata.note} ${mark}` : mark } };
};

export const formatDisagreement = (entry: PriceDisagreement): string =>
  `${entry.provider}/${entry.modelId} ${entry.field}: ours $${entry.ours}/M, @pydantic/genai-prices $${entry.theirs}/M (${(entry.difference * 100).toFixed(0)}% apart)`;
