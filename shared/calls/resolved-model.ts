import type { ProviderId } from '../../layers/providers/types.ts';

/** A public model id resolved through the catalog to the provider and wire model that serve it. */
export interface ResolvedModel {
  readonly publicId: string;
  readonly provider: ProviderId;
  readonly wireModel: string;
  readonly maxOutputTokens?: number;
  /** The catalog's `capabilities.reasoning`: reasoning options reach only models marked so. */
  readonly reasoning?: boolean;
  /** The catalog row, for pricing. */
  readonly row: Readonly<Record<string, unknown>>;
}
