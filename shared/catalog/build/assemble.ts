/**
 * Drafts from every source → the catalog file: one row per (modelId, provider) in a stable order, every
 * served row validated exactly as the runtime will rebuild it from the file.
 */
import { createHash } from 'node:crypto';
import { catalogRecordSchema } from '../model-schema.ts';
import { modalityRank, providerRank } from '../preference.ts';
import { toRecord, type RecordDraft } from '../record.ts';
import { hydrateCatalog, storeDraft, type CatalogFile } from '../stored-format.ts';
import type { CatalogRecord } from '../types.ts';

export interface AssembleResult {
  readonly file: CatalogFile;
  readonly warnings: readonly string[];
}

const keyOf = (row: { readonly provider: string; readonly modelId: string }): string => `${row.provider}\u0000${row.modelId}`;

interface Ranked {
  readonly draft: RecordDraft;
  readonly record: CatalogRecord;
}

/** Text first, then by modality; curated rows before the long tail; then preferred provider; then id. */
const compare = ({ record: a }: Ranked, { record: b }: Ranked): number =>
  modalityRank(a.type) - modalityRank(b.type) ||
  Number(b.curated) - Number(a.curated) ||
  providerRank(a.provider) - providerRank(b.provider) ||
  (a.modelId < b.modelId ? -1 : a.modelId > b.modelId ? 1 : 0);

const validate = (rows: readonly CatalogRecord[]): void => {
  const problems = rows.flatMap((row) => {
    const parsed = catalogRecordSchema.safeParse(row);
    return parsed.success ? [] : parsed.error.issues.map((issue) => `${row.provider}/${row.modelId} ${issue.path.join('.')}: ${issue.message}`);
  });
  if (problems.length) throw new Error(`catalog rows do not match the Model schema:\n${problems.join('\n')}`);
};

/** Later drafts replace earlier ones for the same (provider, modelId): pass models.dev first, curated after. */
export const assembleCatalog = (drafts: readonly RecordDraft[], sources: Readonly<Record<string, string>>): AssembleResult => {
  const warnings: string[] = [];
  const byKey = new Map<string, Ranked>();
  for (const draft of drafts) {
    const ranked = { draft, record: toRecord(draft) };
    const replaced = byKey.get(keyOf(draft));
    if (replaced) warnings.push(`${draft.provider}/${draft.modelId}: ${draft.sourceMetadata.origin} row replaces the ${replaced.draft.sourceMetadata.origin} row`);
    byKey.set(keyOf(draft), ranked);
  }
  const models = [...byKey.values()].sort(compare).map(({ draft }) => storeDraft(draft));
  const version = createHash('sha256').update(JSON.stringify({ sources, models })).digest('hex').slice(0, 16);
  const file: CatalogFile = { formatVersion: 2, version, sources, models };
  validate(hydrateCatalog(file));
  return { file, warnings };
};
