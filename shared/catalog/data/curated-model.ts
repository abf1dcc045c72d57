/**
 * The shape of a hand-maintained catalog row. Only facts go here (ids, prices, limits, the page each price
 * came from); operations' shapes, params and summaries are derived by the build step.
 */
import type { CanonicalOperation, ModelProvider } from '../enums.ts';
import type { OperationOverrides } from '../operations.ts';
import type { Capabilities, ParamSpec, PricingUnit } from '../types.ts';

export interface CuratedOperation {
  readonly operation: CanonicalOperation;
  readonly pricing: readonly PricingUnit[];
  readonly overrides?: OperationOverrides;
}

export interface CuratedModel {
  readonly modelId: string;
  /** The provider's wire model; defaults to `modelId`. */
  readonly upstreamModelId?: string;
  readonly name: string;
  readonly provider: ModelProvider;
  readonly family: string;
  readonly ownedBy: string;
  readonly description: string;
  readonly createdAt?: string;
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly operations: readonly CuratedOperation[];
  readonly capabilities?: Partial<Capabilities>;
  /** Model-specific parameters, merged over the ones derived from the operations. */
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** The provider's public pricing page. */
  readonly pricingSource: string;
  /** Whether the price was checked against `pricingSource` when the row was written. */
  readonly priceVerified: boolean;
  readonly note?: string;
  /** Listed in the short `/v1/models` view; curated table rows default to true. */
  readonly curated?: boolean;
  readonly hfInferenceProvider?: string;
  readonly hfProviderId?: string;
}

export const op = (operation: CanonicalOperation, pricing: PricingUnit | readonly PricingUnit[], overrides?: OperationOverrides): CuratedOperation => ({
  operation,
  pricing: Array.isArray(pricing) ? pricing : [pricing as PricingUnit],
  ...(overrides ? { overrides } : {}),
});
