/**
 * Constructors for the pricing units the pricing engine understands. Every price table in the catalog is
 * built through these, so unit keys, unit names and headers cannot drift between rows.
 */
import type { PricingUnit } from './types.ts';

type UnitKey = PricingUnit['unitKey'];
type Entries = Readonly<Record<string, number | undefined>>;

/** The fixed name and column header of each unit key. */
export const UNIT_LABELS: Readonly<Record<UnitKey, { readonly unit: string; readonly header: string }>> = {
  tokens: { unit: 'usd_per_million_tokens', header: '$ / 1M tokens' },
  images: { unit: 'usd_per_image', header: '$ / image' },
  characters: { unit: 'usd_per_million_characters', header: '$ / 1M characters' },
  audio_minutes: { unit: 'usd_per_minute', header: '$ / minute' },
  video_seconds: { unit: 'usd_per_second', header: '$ / second' },
  requests: { unit: 'usd_per_request', header: '$ / request' },
};

export const pricingUnit = (unitKey: UnitKey, entries: Entries, isDefault: boolean): PricingUnit => {
  const defined = Object.fromEntries(Object.entries(entries).filter((pair): pair is [string, number] => pair[1] !== undefined));
  return {
    unitKey,
    ...UNIT_LABELS[unitKey],
    entries: defined,
    valueKeys: Object.keys(defined),
    ...(isDefault ? { default: true } : {}),
  };
};

export interface TokenPrices {
  readonly input: number;
  readonly output?: number;
  readonly cached_input?: number;
  readonly cache_write?: number;
  /** Only when reasoning tokens are billed apart from output tokens. */
  readonly reasoning?: number;
}

/** USD per 1M tokens: text generation and embeddings. */
export const perMillionTokens = (prices: TokenPrices, isDefault = true): PricingUnit => pricingUnit('tokens', { ...prices }, isDefault);

/** USD per image, keyed `<quality>:<size>` (for example `hd:1024x1792`) or `default` for a flat price. */
export const perImage = (prices: Entries, isDefault = true): PricingUnit => pricingUnit('images', prices, isDefault);

/** USD per 1M input characters: speech synthesis. */
export const perMillionCharacters = (input: number, isDefault = true): PricingUnit => pricingUnit('characters', { input }, isDefault);

/** USD per minute of audio processed, entry `input`: transcription. */
export const perAudioMinute = (input: number, isDefault = true): PricingUnit => pricingUnit('audio_minutes', { input }, isDefault);

/**
 * USD per second of generated video, keyed by resolution label or `default`. A resolution label is
 * `<shorter side>p` of the requested size: 1280x720 → `720p`, 1792x1024 → `1024p`.
 */
export const perVideoSecond = (prices: Entries, isDefault = true): PricingUnit => pricingUnit('video_seconds', prices, isDefault);

/**
 * Free at the provider, charged by the gateway: `default` is the provider's price per request (0) and
 * `platform_fee` the gateway's flat fee per request, which receipts show as the platform fee (moderation).
 */
export const platformFeePerRequest = (fee: number, isDefault = true): PricingUnit => pricingUnit('requests', { default: 0, platform_fee: fee }, isDefault);

/** USD per call: per-request vision inference. */
export const perRequest = (price: number, isDefault = true): PricingUnit => pricingUnit('requests', { default: price }, isDefault);
