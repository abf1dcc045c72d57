/**
 * `npm run catalog:report`: what in the catalog needs a person's attention, offline and in a second or two.
 * - stale: rows an official SDK documents as retired or shutting down (shared/catalog/data/retirements.ts), or
 *   that @pydantic/genai-prices marks deprecated;
 * - disagreeing: text prices more than 5% away from @pydantic/genai-prices;
 * - unchecked: text rows the second source does not price;
 * - unverified: rows whose price was not read on the provider's own page (`priceVerified: false`).
 */
import { formatDisagreement } from '../shared/catalog/build/freshness.ts';
import { gatherDrafts } from './catalog-drafts.ts';

const { freshness } = gatherDrafts();
const section = (title: string, lines: readonly string[]): void => {
  console.log(`\n${title} (${lines.length})`);
  for (const line of lines) console.log(`  ${line}`);
};

section('stale', freshness.stale.map((entry) => `${entry.provider}/${entry.modelId}: ${entry.reason}`));
section('disagreeing with @pydantic/genai-prices by more than 5%', freshness.disagreements.map(formatDisagreement));
section('text rows without a second price source', freshness.unchecked);
section('unverified prices (priceVerified: false)', freshness.unverified);
