/**
 * The modality views: each canonical modality with its operations, model counts (over the full catalog,
 * so they agree with `/v1/models/all`) and the unit shapes it is billed in; and the models per operation.
 */
import { NotFoundError } from '../../layers/core/errors.ts';
import { getCatalog, type Catalog } from './catalog.ts';
import { cursorScope, paginate } from './cursor.ts';
import { CANONICAL_MODALITIES, OPERATIONS_BY_MODALITY, type CanonicalModality, type CanonicalOperation } from './enums.ts';
import type { ModalityCatalogEntry, ModalityListResponse, OperationCatalogEntry, OperationListResponse, OperationModelsResponse } from './responses.ts';
import { matchesTerms, queryTerms } from './search.ts';
import type { PricingUnit } from './types.ts';
import { DEFAULT_PAGE_LIMIT, parseModality, validateOperationModelsOptions, type OperationModelsOptions } from './validation.ts';

const operationEntry = (operation: CanonicalOperation, catalog: Catalog): OperationCatalogEntry => {
  const stats = catalog.operationStats.get(operation);
  return { operation, modelCount: stats?.modelCount ?? 0, sourceTypes: stats?.sourceTypes ?? [], pricingUnits: stats?.pricingUnits ?? [] };
};

const operationEntries = (modality: CanonicalModality, catalog: Catalog): OperationCatalogEntry[] =>
  OPERATIONS_BY_MODALITY[modality].map((operation) => operationEntry(operation, catalog));

const modalityEntry = (modality: CanonicalModality, catalog: Catalog): ModalityCatalogEntry => {
  const operations = operationEntries(modality, catalog);
  const units = new Map<string, PricingUnit>();
  for (const unit of operations.flatMap((operation) => operation.pricingUnits)) {
    const known = units.get(unit.unitKey);
    units.set(unit.unitKey, known ? { ...known, valueKeys: [...new Set([...known.valueKeys, ...unit.valueKeys])] } : unit);
  }
  return { modality, operations, modelCount: catalog.modalityCounts.get(modality) ?? 0, pricingUnits: [...units.values()] };
};

export const listModalities = (catalog: Catalog = getCatalog()): ModalityListResponse => ({
  object: 'list',
  data: CANONICAL_MODALITIES.map((modality) => modalityEntry(modality, catalog)),
});

/** Throws 400 `invalid_enum_value` for a modality the spec does not name. */
export const getModality = (modality: string, catalog: Catalog = getCatalog()): ModalityCatalogEntry => modalityEntry(parseModality(modality), catalog);

export const listOperations = (modality: string, catalog: Catalog = getCatalog()): OperationListResponse => ({
  object: 'list',
  data: operationEntries(parseModality(modality), catalog),
});

const operationOf = (modality: CanonicalModality, operation: string): CanonicalOperation => {
  const known: readonly string[] = OPERATIONS_BY_MODALITY[modality];
  if (known.includes(operation)) return operation as CanonicalOperation;
  throw new NotFoundError('operation_not_found', `The ${modality} modality has no operation '${operation}'. Operations: ${known.join(', ') || 'none'}.`, {
    param: 'operation',
  });
};

/** Models offering one operation; each row's `operations` lists only that operation. */
export const listOperationModels = (
  modality: string,
  operation: string,
  options: OperationModelsOptions = {},
  catalog: Catalog = getCatalog(),
): OperationModelsResponse => {
  const canonicalModality = parseModality(modality);
  const canonicalOperation = operationOf(canonicalModality, operation);
  const { cursor, limit, ...filters } = validateOperationModelsOptions(options);
  const terms = queryTerms(filters.q);
  const matches = catalog.entries.filter((entry) => {
    const row = entry.byOperation.get(canonicalOperation);
    return (
      row !== undefined &&
      (filters.provider === undefined || row.provider === filters.provider) &&
      (filters.streaming === undefined || row.operations.some((capability) => capability.operation === canonicalOperation && capability.streamable === filters.streaming)) &&
      matchesTerms(entry, terms)
    );
  });
  const scope = cursorScope(catalog.version, `operations.models:${canonicalOperation}`, { ...filters, q: terms.join(' ') || undefined });
  const page = paginate(matches, { scope, cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
  return {
    object: 'list',
    data: page.items.map((entry) => entry.byOperation.get(canonicalOperation)!),
    total: page.total,
    next_cursor: page.nextCursor,
  };
};
