/**
 * The worst-case price of a call before it runs: what a Compose Key reserves and what x402 asks for. It is
 * never below what `meter` charges for the same call, provided the call stays within the bounds the quote
 * assumed (the caller sends `bounds.outputTokens` upstream as the output cap).
 */
import { InternalError } from '../../layers/core/errors.ts';
import { atomicCeil, ceilDiv, multiply, ratio, type Rational } from './decimal.ts';
import { platformFee, resolveFeeBps } from './fee.ts';
import { amountOf, count, SECONDS_PER_MINUTE } from './lines.ts';
import type { PricingOptions, PricingUnit, Quote, QuoteRequest } from './types.ts';
import { entryPrice, imagePrice, maxPrice, requiredEntryPrice, selectUnit, videoPrice } from './units.ts';

export const INPUT_ESTIMATE = {
  /**
   * Byte-level BPE tokenizers (and SentencePiece with byte fallback) never make a token out of less than one
   * byte, so the body's byte size bounds the prompt's tokens; the JSON around each message (≥ 25 bytes) more
   * than covers the few template tokens a chat format adds per message. A hard bound, not an average: it
   * over-reserves about 4× on English text, which a reservation returns at settlement.
   */
  bytesPerToken: 1,
  /** Images given by URL cost tokens the body size does not show; no current vision model charges more per image. */
  tokensPerImageInput: 2_500,
  /** Output cap when neither the request nor the catalog gives one; the caller must enforce it upstream. */
  fallbackMaxOutputTokens: 16_384,
} as const;

/** 4 kbit/s: below any speech codec a transcription API accepts, so bytes bound an unknown duration. */
export const AUDIO_MIN_BYTES_PER_SECOND = 500;

/**
 * `meter` rounds each of up to 5 token line items up on its own, the quote rounds 2 components; the sum of L
 * ceilings is below the exact sum + L, so L − 1 atomic units on top keep the quote an upper bound.
 */
const TOKEN_ROUNDING_ALLOWANCE = 4n;

interface Priced {
  readonly amount: bigint;
  readonly bounds?: Quote['bounds'];
  /** The gateway's flat fee per request (a `platform_fee` entry): part of the platform fee, not of the provider amount. */
  readonly flatFee?: bigint;
}

const cost = (quantity: Rational, price: Rational): bigint => atomicCeil(multiply(quantity, price));

const smallest = (...values: readonly (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
};

const quoteTokens = (unit: PricingUnit, request: Extract<QuoteRequest, { kind: 'tokens' }>): Priced => {
  count(request.bodyBytes, 'bodyBytes');
  count(request.imageInputs ?? 0, 'imageInputs');
  const fromBody = Math.ceil(request.bodyBytes / INPUT_ESTIMATE.bytesPerToken);
  const images = (request.imageInputs ?? 0) * INPUT_ESTIMATE.tokensPerImageInput;
  const inputTokens = smallest(fromBody + images, request.contextWindow)!;
  const outputTokens =
    smallest(request.maxOutputTokens, request.modelMaxOutputTokens) ?? request.contextWindow ?? INPUT_ESTIMATE.fallbackMaxOutputTokens;

  // Every input token could be a cache write and every output token reasoning: price each side at its dearest rate.
  const inputRate = maxPrice(requiredEntryPrice(unit, 'input'), entryPrice(unit, 'cached_input'), entryPrice(unit, 'cache_write'))!;
  const outputRate = maxPrice(entryPrice(unit, 'output'), entryPrice(unit, 'reasoning'));
  const amount =
    cost(count(inputTokens, 'input bound'), inputRate) +
    (outputRate ? cost(count(outputTokens, 'output bound'), outputRate) : 0n) +
    TOKEN_ROUNDING_ALLOWANCE;
  return { amount, bounds: { inputTokens, outputTokens: outputRate ? outputTokens : 0 } };
};

const audioSeconds = (request: Extract<QuoteRequest, { kind: 'audio_minutes' }>): Rational => {
  if (request.seconds !== undefined) return amountOf(request.seconds, 'audio seconds');
  if (request.bytes !== undefined) return ratio(ceilDiv(count(request.bytes, 'audio bytes').n, BigInt(AUDIO_MIN_BYTES_PER_SECOND)), 1n);
  throw new InternalError('an audio quote needs seconds or bytes');
};

const quoteOne = (units: readonly PricingUnit[], request: QuoteRequest): Priced => {
  const unit = selectUnit(units, request.kind);
  switch (request.kind) {
    case 'tokens':
      return quoteTokens(unit, request);
    case 'images':
      return { amount: cost(count(request.count, 'image count'), imagePrice(unit, request.quality, request.size).price) };
    case 'characters':
      return { amount: cost(count(request.characters, 'characters'), requiredEntryPrice(unit, 'input')) };
    case 'audio_minutes': {
      const seconds = audioSeconds(request);
      return { amount: cost(ratio(seconds.n, seconds.d * SECONDS_PER_MINUTE), requiredEntryPrice(unit, 'input')) };
    }
    case 'video_seconds':
      return { amount: cost(amountOf(request.seconds, 'video seconds'), videoPrice(unit, request.resolution).price) };
    case 'requests': {
      const requests = count(request.count ?? 1, 'requests');
      const flat = entryPrice(unit, 'platform_fee');
      return { amount: cost(requests, requiredEntryPrice(unit, 'default')), ...(flat ? { flatFee: cost(requests, flat) } : {}) };
    }
  }
};

/** The worst-case amount, fee included, for one call (several requests, e.g. tokens and images, add up). */
export const quoteWorstCase = (units: readonly PricingUnit[], request: QuoteRequest | readonly QuoteRequest[], options: PricingOptions = {}): Quote => {
  const feeBps = resolveFeeBps(options.feeBps);
  const parts = (Array.isArray(request) ? (request as readonly QuoteRequest[]) : [request as QuoteRequest]).map((r) => quoteOne(units, r));
  const providerAmount = parts.reduce((sum, p) => sum + p.amount, 0n);
  const fee = platformFee(providerAmount, feeBps) + parts.reduce((sum, p) => sum + (p.flatFee ?? 0n), 0n);
  const bounds = parts.find((p) => p.bounds)?.bounds;
  return { amount: providerAmount + fee, providerAmount, platformFee: fee, ...(bounds ? { bounds } : {}) };
};
