/**
 * The shapes the catalog serves. `ModelRow` is the spec's `Model` as this gateway fills it; every field the
 * spec leaves open (`pricing`, `capabilities`, `params`, `sourceMetadata`) gets one fixed shape here.
 */
import type { CanonicalModality, CanonicalOperation, ModelProvider } from './enums.ts';

/** Price table for one billing unit. All prices are USD; `entries` keys are listed in `valueKeys`. */
export interface PricingUnit {
  readonly unitKey: 'tokens' | 'images' | 'characters' | 'audio_minutes' | 'video_seconds' | 'requests';
  readonly unit: string;
  readonly header: string;
  readonly entries: Readonly<Record<string, number>>;
  readonly valueKeys: readonly string[];
  /** Marks the unit the pricing engine uses when an operation lists several. */
  readonly default?: boolean;
}

export interface OperationCapability {
  readonly modality: CanonicalModality;
  readonly operation: CanonicalOperation;
  /** The kinds of source content the caller supplies (`text`, `image`, `audio`...). */
  readonly sourceTypes: readonly string[];
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly pricingUnits: readonly PricingUnit[];
  readonly streamable: boolean;
}

export interface ParamSpec {
  readonly type: 'number' | 'integer' | 'string' | 'boolean' | 'array' | 'object';
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly enum?: readonly (string | number)[];
  readonly description: string;
}

export interface Capabilities {
  readonly streaming: boolean;
  readonly toolCalls: boolean;
  readonly reasoning: boolean;
  readonly vision: boolean;
  readonly attachments: boolean;
  readonly structuredOutputs: boolean;
  readonly temperature: boolean;
}

/** A summary of the default pricing unit of the model's first operation, for clients that want one number. */
export interface PricingSummary {
  readonly currency: 'USD';
  readonly unit: string;
  readonly [key: string]: string | number;
}

export interface SourceMetadata {
  /** Where the row's data came from: the models.dev feed or the curated table in `shared/catalog/data/`. */
  readonly origin: 'models.dev' | 'curated';
  /** The provider's public pricing page the prices were taken from. */
  readonly pricingSource: string;
  /** False when the price could not be checked against that page when the row was written. */
  readonly priceVerified: boolean;
  readonly note?: string;
}

export interface ModelRow {
  readonly modelId: string;
  readonly upstreamModelId: string;
  readonly name: string;
  readonly provider: ModelProvider;
  readonly family: string;
  /** The modality of the model's primary operation. */
  readonly type: CanonicalModality;
  readonly description: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly contextWindow: number | null;
  readonly maxOutputTokens?: number;
  readonly pricing: PricingSummary;
  readonly capabilities: Capabilities;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly operations: readonly OperationCapability[];
  readonly ownedBy: string;
  readonly createdAt?: string;
  readonly available: boolean;
  /** Every provider that serves this modelId, in resolution preference order. */
  readonly availableFrom: readonly ModelProvider[];
  readonly sourceMetadata: SourceMetadata;
  readonly hfInferenceProvider?: string;
  readonly hfProviderId?: string;
}

/** A row as stored in the generated file: the served row plus the internal curated flag. */
export interface CatalogRecord extends ModelRow {
  /** Listed by `/v1/models`; every row is listed by `/v1/models/all`. */
  readonly curated: boolean;
}
