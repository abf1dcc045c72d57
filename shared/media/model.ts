/** A public model id resolved through the catalog for one media operation: the provider, wire model and prices. */
import type { ProviderId } from '../../layers/providers/types.ts';
import { resolveModel, type CanonicalOperation, type ModelRow, type ParamSpec } from '../catalog/index.ts';
import type { PricingUnit } from '../pricing/index.ts';

export type MediaOperation = Extract<CanonicalOperation, 'embeddings' | 'image-generation' | 'image-edit' | 'speech' | 'transcription' | 'moderation'>;

export interface MediaModel {
  readonly publicId: string;
  readonly provider: ProviderId;
  readonly wireModel: string;
  readonly operation: MediaOperation;
  /** The pricing units of this operation on this row: what the call is quoted and metered with. */
  readonly units: readonly PricingUnit[];
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly row: ModelRow;
}

/** 404 `model_not_found`, 400 `unsupported_operation` or `invalid_enum_value` (provider), as the text path. */
export const resolveMediaModel = (model: string, provider: string | undefined, operation: MediaOperation): MediaModel => {
  const row = resolveModel(model, provider, operation);
  const capability = row.operations.find((o) => o.operation === operation)!;
  return {
    publicId: row.modelId,
    provider: row.provider as ProviderId,
    wireModel: row.upstreamModelId,
    operation,
    units: capability.pricingUnits as readonly PricingUnit[],
    params: row.params,
    row,
  };
};

/** The values a model's param allows, when the catalog lists them. */
export const allowedValues = (model: MediaModel, param: string): readonly string[] | undefined =>
  model.params[param]?.enum?.map(String);
