/**
 * Model lookups: the list views, one model by id (slash-containing ids included), resolution for the
 * inference path, and parameter metadata. When several providers serve an id and the caller names none,
 * the row of the most preferred provider wins (see `preference.ts`).
 */
import { InvalidRequestError, NotFoundError } from '../../layers/core/errors.ts';
import { getCatalog, type Catalog, type CatalogEntry } from './catalog.ts';
import type { CanonicalOperation, ModelProvider } from './enums.ts';
import { closestIds, splitProviderPrefix } from './names.ts';
import { paramDefaults } from './params.ts';
import type { ModelListResponse, ModelParamsResponse } from './responses.ts';
import type { ModelRow } from './types.ts';
import { validateListModelsOptions, validateProvider, type ListModelsOptions } from './validation.ts';

/** `/v1/models` lists curated rows; `all: true` (`/v1/models/all`) lists every row. */
export const listModels = (options: ListModelsOptions = {}, catalog: Catalog = getCatalog()): ModelListResponse => {
  const { provider, modality, limit, all } = validateListModelsOptions(options);
  const rows = (all ? catalog.entries : catalog.curated)
    .filter((entry) => (provider === undefined || entry.row.provider === provider) && (modality === undefined || entry.modalities.has(modality)))
    .map((entry) => entry.row);
  return { object: 'list', data: limit === undefined ? rows : rows.slice(0, limit) };
};

/** Exact id first; ids are matched case-insensitively only when no exact match exists. */
const entriesFor = (modelId: string, catalog: Catalog): readonly CatalogEntry[] =>
  catalog.byId.get(modelId) ?? catalog.byLowerId.get(modelId.toLowerCase()) ?? [];

const notFound = (modelId: string, catalog: Catalog, provider?: ModelProvider, servedBy: readonly string[] = []): NotFoundError => {
  if (provider && servedBy.length) {
    return new NotFoundError('model_not_found', `The model '${modelId}' is not served by provider '${provider}'; it is available from: ${servedBy.join(', ')}.`, {
      param: 'model',
    });
  }
  const suggestions = closestIds(modelId, catalog.byId.keys());
  const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : ' GET /v1/models lists the models.';
  return new NotFoundError('model_not_found', `The model '${modelId}' does not exist.${hint}`, { param: 'model' });
};

/**
 * The rows a model name names. An id the catalog knows wins (slash ids included); otherwise `provider/model`
 * (a provider id or alias, see names.ts) names that provider's row. A `provider` field that contradicts the
 * prefix is a 400: the request says two different things.
 */
const findEntries = (modelId: string, provider: unknown, catalog: Catalog): { entries: readonly CatalogEntry[]; provider?: ModelProvider } => {
  if (!modelId) throw new InvalidRequestError('missing_model', 'A model is required.', { param: 'model' });
  const chosen = validateProvider(provider);
  const all = entriesFor(modelId, catalog);
  if (!all.length) {
    const qualified = splitProviderPrefix(modelId);
    const id = qualified?.candidates.find((candidate) => entriesFor(candidate, catalog).length > 0);
    if (qualified && id !== undefined) {
      if (chosen && chosen !== qualified.provider) {
        throw new InvalidRequestError('provider_conflict', `The model '${modelId}' names provider '${qualified.provider}', but the provider field says '${chosen}'.`, {
          param: 'provider',
        });
      }
      return findEntries(id, qualified.provider, catalog);
    }
  }
  const entries = chosen ? all.filter((entry) => entry.row.provider === chosen) : all;
  if (!entries.length) throw notFound(modelId, catalog, chosen, all.map((entry) => entry.row.provider));
  return { entries, ...(chosen ? { provider: chosen } : {}) };
};

/** One model row; with `provider`, that provider's row. Throws 404 `model_not_found`, 400 `invalid_enum_value`. */
export const getModel = (modelId: string, provider?: string, catalog: Catalog = getCatalog()): ModelRow =>
  findEntries(modelId, provider, catalog).entries[0]!.row;

export const modelSupports = (row: ModelRow, operation: string): boolean => row.operations.some((capability) => capability.operation === operation);

/**
 * The row the inference path calls: the named provider's row, else the most preferred available provider's.
 * With `operation`, only rows offering it qualify; a model that exists but cannot do the operation is a 400
 * `unsupported_operation` (the request is wrong, not the model id).
 */
export const resolveModel = (modelId: string, provider?: string, operation?: CanonicalOperation, catalog: Catalog = getCatalog()): ModelRow => {
  const { entries } = findEntries(modelId, provider, catalog);
  const capable = operation ? entries.filter((entry) => modelSupports(entry.row, operation)) : entries;
  const chosen = capable.find((entry) => entry.row.available) ?? capable[0];
  if (!chosen) {
    const offered = [...new Set(entries.flatMap((entry) => entry.row.operations.map((capability) => capability.operation)))];
    throw new InvalidRequestError('unsupported_operation', `The model '${modelId}' does not support ${operation}; it supports: ${offered.join(', ')}.`, {
      param: 'model',
    });
  }
  return chosen.row;
};

/** GET /v1/models/{model}/params. */
export const getModelParams = (modelId: string, provider?: string, catalog: Catalog = getCatalog()): ModelParamsResponse => {
  const row = getModel(modelId, provider, catalog);
  return { modelId: row.modelId, type: row.type, provider: row.provider, params: row.params, defaults: paramDefaults(row.params) };
};
