/** The catalog's public interface. Handlers and the inference path import from here only. */
export { getCatalog, loadCatalog, type Catalog, type CatalogEntry } from './catalog.ts';
export {
  CANONICAL_MODALITIES,
  CANONICAL_OPERATIONS,
  MODEL_PROVIDERS,
  OPERATIONS_BY_MODALITY,
  isCanonicalModality,
  isCanonicalOperation,
  isModelProvider,
  modalityOf,
  type CanonicalModality,
  type CanonicalOperation,
  type ModelProvider,
} from './enums.ts';
export { getModality, listModalities, listOperationModels, listOperations } from './modalities.ts';
export { getModel, getModelParams, listModels, modelSupports, resolveModel } from './models.ts';
export { closestIds, splitProviderPrefix } from './names.ts';
export { openAIModelFields, withOpenAIModelFields, type OpenAIModelFields } from './openai-model.ts';
export { PROVIDER_PREFERENCE } from './preference.ts';
export type {
  ModalityCatalogEntry,
  ModalityListResponse,
  ModelListResponse,
  ModelParamsResponse,
  ModelSearchResponse,
  OperationCatalogEntry,
  OperationListResponse,
  OperationModelsResponse,
} from './responses.ts';
export { searchModels } from './search.ts';
export type { Capabilities, ModelRow, OperationCapability, ParamSpec, PricingSummary, PricingUnit, SourceMetadata } from './types.ts';
export {
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  parseListModelsQuery,
  parseModality,
  parseOperationModelsQuery,
  parseProviderQuery,
  parseSearchRequest,
  type ListModelsOptions,
  type OperationModelsOptions,
  type QueryParams,
  type SearchFilters,
} from './validation.ts';
