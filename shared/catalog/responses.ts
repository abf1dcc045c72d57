/** Response bodies of the catalog routes, as the spec names them. */
import type { CanonicalModality, CanonicalOperation, ModelProvider } from './enums.ts';
import type { ModelRow, ParamSpec, PricingUnit } from './types.ts';

export interface ModelListResponse {
  readonly object: 'list';
  readonly data: readonly ModelRow[];
}

export interface ModelSearchResponse {
  readonly object: 'list';
  readonly data: readonly ModelRow[];
  /** Matches across all pages. */
  readonly total: number;
  readonly next_cursor: string | null;
}

/** Rows here list only the requested operation in `operations`. */
export type OperationModelsResponse = ModelSearchResponse;

export interface OperationCatalogEntry {
  readonly operation: CanonicalOperation;
  readonly modelCount: number;
  readonly sourceTypes: readonly string[];
  /** Unit shapes (keys and labels, no prices) the operation is billed in. */
  readonly pricingUnits: readonly PricingUnit[];
}

export interface ModalityCatalogEntry {
  readonly modality: CanonicalModality;
  readonly operations: readonly OperationCatalogEntry[];
  readonly modelCount: number;
  readonly pricingUnits: readonly PricingUnit[];
}

export interface ModalityListResponse {
  readonly object: 'list';
  readonly data: readonly ModalityCatalogEntry[];
}

export interface OperationListResponse {
  readonly object: 'list';
  readonly data: readonly OperationCatalogEntry[];
}

export interface ModelParamsResponse {
  readonly modelId: string;
  readonly type: string | null;
  readonly provider: ModelProvider | null;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly defaults: Readonly<Record<string, unknown>>;
}
