/**
 * The loaded catalog and its indexes. The generated JSON is imported once per process (bundlers inline it);
 * everything a query needs — lookup by id, search text, per-operation counts — is computed once here, so
 * each request only filters a small in-memory array.
 */
// The file is produced by `npm run catalog` and gitignored; without it only this import is untyped.
// biome-ignore lint/suspicious/noTsIgnore: @ts-expect-error would fail once the file exists; this must pass both ways.
// @ts-ignore
import generated from './generated/catalog.json' with { type: 'json' };
import type { CanonicalModality, CanonicalOperation } from './enums.ts';
import { withOpenAIModelFields } from './openai-model.ts';
import { hydrateCatalog, type CatalogFile } from './stored-format.ts';
import type { CatalogRecord, ModelRow, PricingUnit } from './types.ts';

export interface CatalogEntry {
  /** The row as served (without the internal `curated` flag). */
  readonly row: ModelRow;
  readonly curated: boolean;
  /** Position in the catalog's stable order; cursors point at it. */
  readonly ordinal: number;
  readonly searchText: string;
  /** Input price per 1M tokens of the default token unit, when the model is billed per token. */
  readonly inputPricePerMTok: number | undefined;
  readonly modalities: ReadonlySet<CanonicalModality>;
  /** Per operation: the row narrowed to that operation (for the operation views). */
  readonly byOperation: ReadonlyMap<CanonicalOperation, ModelRow>;
}

export interface OperationStats {
  readonly modelCount: number;
  readonly sourceTypes: readonly string[];
  readonly pricingUnits: readonly PricingUnit[];
}

export interface Catalog {
  readonly version: string;
  readonly entries: readonly CatalogEntry[];
  readonly curated: readonly CatalogEntry[];
  /** Rows per exact modelId, and per lower-cased modelId, in provider preference order. */
  readonly byId: ReadonlyMap<string, readonly CatalogEntry[]>;
  readonly byLowerId: ReadonlyMap<string, readonly CatalogEntry[]>;
  readonly operationStats: ReadonlyMap<CanonicalOperation, OperationStats>;
  readonly modalityCounts: ReadonlyMap<CanonicalModality, number>;
}

const tokenInputPrice = (row: ModelRow): number | undefined => {
  const units = row.operations.flatMap((operation) => operation.pricingUnits).filter((unit) => unit.unitKey === 'tokens');
  return (units.find((unit) => unit.default) ?? units[0])?.entries['input'];
};

const toEntry = (record: CatalogRecord, ordinal: number): CatalogEntry => {
  const { curated, ...stored } = record;
  // Every row is served with OpenAI's model fields too (openai-model.ts), wherever it is listed.
  const row = withOpenAIModelFields(stored);
  const byOperation = new Map<CanonicalOperation, ModelRow>(
    row.operations.map((operation) => [operation.operation, row.operations.length === 1 ? row : { ...row, operations: [operation] }]),
  );
  return {
    row,
    curated,
    ordinal,
    searchText: [row.modelId, row.name, row.family, row.description, row.provider].join('\n').toLowerCase(),
    inputPricePerMTok: tokenInputPrice(row),
    modalities: new Set(row.operations.map((operation) => operation.modality)),
    byOperation,
  };
};

const groupBy = (entries: readonly CatalogEntry[], key: (entry: CatalogEntry) => string): Map<string, CatalogEntry[]> => {
  const groups = new Map<string, CatalogEntry[]>();
  for (const entry of entries) {
    const group = groups.get(key(entry));
    if (group) group.push(entry);
    else groups.set(key(entry), [entry]);
  }
  // Rows of one id keep the order of `availableFrom`, which is the resolution preference.
  for (const group of groups.values()) group.sort((a, b) => a.row.availableFrom.indexOf(a.row.provider) - b.row.availableFrom.indexOf(b.row.provider));
  return groups;
};

/** A unit's shape without prices; `valueKeys` is the union over every model billed in that unit. */
const mergeUnitShapes = (units: readonly PricingUnit[]): PricingUnit[] => {
  const byKey = new Map<string, Set<string>>();
  for (const unit of units) byKey.set(unit.unitKey, new Set([...(byKey.get(unit.unitKey) ?? []), ...unit.valueKeys]));
  return units
    .filter((unit, index) => units.findIndex((other) => other.unitKey === unit.unitKey) === index)
    .map(({ unitKey, unit, header }) => ({ unitKey, unit, header, entries: {}, valueKeys: [...(byKey.get(unitKey) ?? [])] }));
};

const operationStatsOf = (entries: readonly CatalogEntry[]): Map<CanonicalOperation, OperationStats> => {
  const operations = new Map<CanonicalOperation, ModelRow['operations'][number][]>();
  for (const { row } of entries) {
    for (const operation of row.operations) operations.set(operation.operation, [...(operations.get(operation.operation) ?? []), operation]);
  }
  return new Map(
    [...operations].map(([name, list]) => [
      name,
      {
        modelCount: list.length,
        sourceTypes: [...new Set(list.flatMap((operation) => operation.sourceTypes))],
        pricingUnits: mergeUnitShapes(list.flatMap((operation) => operation.pricingUnits)),
      },
    ]),
  );
};

export const loadCatalog = (file: CatalogFile = generated as unknown as CatalogFile): Catalog => {
  const entries = hydrateCatalog(file).map(toEntry);
  const operationStats = operationStatsOf(entries);
  const modalityCounts = new Map<CanonicalModality, number>();
  for (const entry of entries) for (const modality of entry.modalities) modalityCounts.set(modality, (modalityCounts.get(modality) ?? 0) + 1);
  return {
    version: file.version,
    entries,
    curated: entries.filter((entry) => entry.curated),
    byId: groupBy(entries, (entry) => entry.row.modelId),
    byLowerId: groupBy(entries, (entry) => entry.row.modelId.toLowerCase()),
    operationStats,
    modalityCounts,
  };
};

let instance: Catalog | undefined;

/** The process-wide catalog, built on first use (call it at module scope to build it during Lambda init). */
export const getCatalog = (): Catalog => (instance ??= loadCatalog());

