/**
 * POST /v1/models/search over the full catalog. Filters combine with AND; `q` matches every
 * whitespace-separated term, case-insensitively, against id, name, family, description and provider.
 * Results keep the catalog's stable order and page through opaque cursors bound to the query.
 */
import { getCatalog, type Catalog, type CatalogEntry } from './catalog.ts';
import { cursorScope, paginate } from './cursor.ts';
import type { ModelSearchResponse } from './responses.ts';
import { DEFAULT_PAGE_LIMIT, parseSearchRequest, type SearchFilters } from './validation.ts';

export const queryTerms = (q: string | undefined): string[] => (q ?? '').toLowerCase().split(/\s+/).filter(Boolean);

export const matchesTerms = (entry: CatalogEntry, terms: readonly string[]): boolean => terms.every((term) => entry.searchText.includes(term));

/** With `operation` (or `modality`), `streaming` asks about that operation; otherwise about any of the model's. */
const streamingMatches = (entry: CatalogEntry, filters: SearchFilters): boolean =>
  entry.row.operations.some(
    (operation) =>
      (filters.operation === undefined || operation.operation === filters.operation) &&
      (filters.modality === undefined || operation.modality === filters.modality) &&
      operation.streamable === filters.streaming,
  );

const matcher = (filters: SearchFilters) => {
  const terms = queryTerms(filters.q);
  return (entry: CatalogEntry): boolean =>
    (filters.provider === undefined || entry.row.provider === filters.provider) &&
    (filters.modality === undefined || entry.modalities.has(filters.modality)) &&
    (filters.operation === undefined || entry.byOperation.has(filters.operation as never)) &&
    (filters.priceMaxPerMTok === undefined || (entry.inputPricePerMTok !== undefined && entry.inputPricePerMTok <= filters.priceMaxPerMTok)) &&
    (filters.contextWindowMin === undefined || (entry.row.contextWindow ?? 0) >= filters.contextWindowMin) &&
    (filters.streaming === undefined || streamingMatches(entry, filters)) &&
    matchesTerms(entry, terms);
};

/** Accepts the raw JSON body; validation errors are 400s (see `validation.ts`). */
export const searchModels = (body: unknown, catalog: Catalog = getCatalog()): ModelSearchResponse => {
  const { cursor, limit, ...filters } = parseSearchRequest(body);
  const normalized = { ...filters, q: queryTerms(filters.q).join(' ') || undefined };
  const matches = catalog.entries.filter(matcher(normalized));
  const page = paginate(matches, { scope: cursorScope(catalog.version, 'models.search', normalized), cursor, limit: limit ?? DEFAULT_PAGE_LIMIT });
  return { object: 'list', data: page.items.map((entry) => entry.row), total: page.total, next_cursor: page.nextCursor };
};
