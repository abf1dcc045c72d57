/**
 * The pricing engine's vocabulary. `PricingUnit` is the spec's schema as the catalog emits it; `Measured`
 * is what a call consumed; `QuoteRequest` is what is known about a call before it runs. Both are keyed by
 * the pricing unit's `unitKey`, so choosing the unit is the same decision before and after the call.
 */
import type { Usage } from '../../layers/providers/types.ts';

export interface PricingUnit {
  readonly unitKey: string;
  /** e.g. `usd_per_million_tokens`; the divisor is read from it (see `unitDivisor`). */
  readonly unit?: string;
  readonly header?: string;
  /** USD prices, keyed by what they price: `input`/`output`…, `<quality>:<size>`, a resolution, or `default`. */
  readonly entries: Readonly<Record<string, number>>;
  readonly valueKeys: readonly string[];
  /** Marks the unit used when an operation has several. */
  readonly default?: boolean;
}

export const UNIT_KEYS = {
  tokens: 'tokens',
  images: 'images',
  characters: 'characters',
  audioMinutes: 'audio_minutes',
  videoSeconds: 'video_seconds',
  requests: 'requests',
} as const;

export type UnitKey = (typeof UNIT_KEYS)[keyof typeof UNIT_KEYS];

/**
 * Canonical usage, plus tokens written to a prompt cache (billed at `cache_write` where a provider reports
 * them). `inputTokens` INCLUDES cached and cache-write tokens (OpenAI's convention); adapters whose provider
 * reports them separately (Anthropic-style) add them in. `reasoningTokens` are part of `outputTokens`.
 */
export type TokenUsage = Usage & { readonly cacheWriteTokens?: number };

/** What a call consumed, measured after it ran. */
export type Measured =
  | { readonly kind: 'tokens'; readonly usage: TokenUsage }
  | { readonly kind: 'images'; readonly count: number; readonly quality?: string; readonly size?: string }
  | { readonly kind: 'characters'; readonly characters: number }
  | { readonly kind: 'audio_minutes'; readonly seconds: number }
  | { readonly kind: 'video_seconds'; readonly seconds: number; readonly resolution?: string }
  | { readonly kind: 'requests'; readonly count: number };

/** What is known before a call runs; every field is an upper bound, or is turned into one. */
export type QuoteRequest =
  | {
      readonly kind: 'tokens';
      /** Size of the request body in UTF-8 bytes: bounds the prompt's tokens (see `INPUT_ESTIMATE`). */
      readonly bodyBytes: number;
      /** Image inputs given by URL or file id, whose tokens the body size does not bound. */
      readonly imageInputs?: number;
      /** The client's `max_tokens` / `max_output_tokens` / `max_completion_tokens`. */
      readonly maxOutputTokens?: number;
      /** The catalog's `maxOutputTokens` for the model. */
      readonly modelMaxOutputTokens?: number;
      /** The catalog's `contextWindow`: the prompt cannot be larger. */
      readonly contextWindow?: number;
    }
  | { readonly kind: 'images'; readonly count: number; readonly quality?: string; readonly size?: string }
  | { readonly kind: 'characters'; readonly characters: number }
  /** `seconds` when the duration is known; otherwise `bytes` of audio bound it (see `AUDIO_MIN_BYTES_PER_SECOND`). */
  | { readonly kind: 'audio_minutes'; readonly seconds?: number; readonly bytes?: number }
  | { readonly kind: 'video_seconds'; readonly seconds: number; readonly resolution?: string }
  | { readonly kind: 'requests'; readonly count?: number };

/** The spec's `ReceiptLineItem`; `amount_wei` holds USDC atomic units as an integer string. */
export interface LineItem {
  readonly key: string;
  /** What `quantity` counts: the pricing unit's `unitKey`. */
  readonly unit: string;
  readonly quantity: number;
  /** USD per ONE unit (per token, not per million); display only, the amount is computed exactly. */
  readonly unit_price_usd: number;
  readonly amount_wei: string;
  /** The catalog entry that priced it when it is not implied by `key` (`hd:1024x1792`, `720p`). */
  readonly price_entry?: string;
}

/** A metered charge: receipt-shaped, and the line items always add up to `provider_amount_wei`. */
export interface Charge {
  readonly line_items: readonly LineItem[];
  readonly provider_amount_wei: string;
  readonly platform_fee_wei: string;
  /** provider + fee: what the payer is charged. */
  readonly final_amount_wei: string;
}

/** A worst-case price before the call: reserve `amount` (fee included) on a key or ask it of x402. */
export interface Quote {
  readonly amount: bigint;
  readonly providerAmount: bigint;
  readonly platformFee: bigint;
  /** For tokens: the bounds the quote assumed. The caller MUST send `outputTokens` upstream as the output cap. */
  readonly bounds?: { readonly inputTokens: number; readonly outputTokens: number };
}

export interface PricingOptions {
  /** Platform fee in basis points; defaults to `PLATFORM_FEE_BPS` from the environment (0 when unset). */
  readonly feeBps?: number;
}
