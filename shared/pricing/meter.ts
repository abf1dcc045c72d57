/**
 * The metered price of a call from what it consumed. Each line item is rounded up to an atomic unit on its
 * own; the provider amount is their sum and the fee is computed on that sum, so a receipt always adds up.
 */
import { atomicCeil, multiply, ratio } from './decimal.ts';
import { platformFee, resolveFeeBps } from './fee.ts';
import { amountOf, count, line, SECONDS_PER_MINUTE, type PricedLine } from './lines.ts';
import type { Charge, Measured, PricingOptions, PricingUnit, TokenUsage } from './types.ts';
import { entryPrice, imagePrice, requiredEntryPrice, selectUnit, videoPrice } from './units.ts';

/**
 * Cached and cache-write tokens are carved out of `inputTokens` and priced at their own rates (the input rate
 * when the catalog has none), never charged twice; reasoning tokens are carved out of `outputTokens` the same
 * way. A unit without an `output` entry (embeddings) does not bill output.
 */
const tokenLines = (unit: PricingUnit, usage: TokenUsage): PricedLine[] => {
  const input = count(usage.inputTokens, 'inputTokens').n;
  const output = count(usage.outputTokens, 'outputTokens').n;
  const cached = min(count(usage.cachedInputTokens ?? 0, 'cachedInputTokens').n, input);
  const written = min(count(usage.cacheWriteTokens ?? 0, 'cacheWriteTokens').n, input - cached);
  const reasoning = min(count(usage.reasoningTokens ?? 0, 'reasoningTokens').n, output);

  const inputRate = requiredEntryPrice(unit, 'input');
  const outputRate = entryPrice(unit, 'output');
  const k = unit.unitKey;
  const lines = [line('input_tokens', k, ratio(input - cached - written, 1n), inputRate)];
  if (cached > 0n) lines.push(line('cached_input_tokens', k, ratio(cached, 1n), entryPrice(unit, 'cached_input') ?? inputRate));
  if (written > 0n) lines.push(line('cache_write_tokens', k, ratio(written, 1n), entryPrice(unit, 'cache_write') ?? inputRate));
  if (outputRate) {
    lines.push(line('output_tokens', k, ratio(output - reasoning, 1n), outputRate));
    if (reasoning > 0n) lines.push(line('reasoning_tokens', k, ratio(reasoning, 1n), entryPrice(unit, 'reasoning') ?? outputRate));
  }
  return lines;
};

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

const measuredLines = (units: readonly PricingUnit[], measured: Measured): PricedLine[] => {
  const unit = selectUnit(units, measured.kind);
  const k = unit.unitKey;
  switch (measured.kind) {
    case 'tokens':
      return tokenLines(unit, measured.usage);
    case 'images': {
      const { entry, price } = imagePrice(unit, measured.quality, measured.size);
      return [line('images', k, count(measured.count, 'image count'), price, entry)];
    }
    case 'characters':
      return [line('input_characters', k, count(measured.characters, 'characters'), requiredEntryPrice(unit, 'input'))];
    case 'audio_minutes': {
      const seconds = amountOf(measured.seconds, 'audio seconds');
      return [line('audio_minutes', k, ratio(seconds.n, seconds.d * SECONDS_PER_MINUTE), requiredEntryPrice(unit, 'input'))];
    }
    case 'video_seconds': {
      const { entry, price } = videoPrice(unit, measured.resolution);
      return [line('video_seconds', k, amountOf(measured.seconds, 'video seconds'), price, entry)];
    }
    case 'requests':
      return [line('requests', k, count(measured.count, 'requests'), requiredEntryPrice(unit, 'default'))];
  }
};

/** The gateway's flat fee for requests whose unit has a `platform_fee` entry (a call the provider does not charge for). */
const flatFee = (units: readonly PricingUnit[], measured: Measured): bigint => {
  if (measured.kind !== 'requests') return 0n;
  const price = entryPrice(selectUnit(units, measured.kind), 'platform_fee');
  return price ? atomicCeil(multiply(count(measured.count, 'requests'), price)) : 0n;
};

/** Prices what a call consumed; several measurements (e.g. tokens and images) give one charge. */
export const meter = (units: readonly PricingUnit[], measured: Measured | readonly Measured[], options: PricingOptions = {}): Charge => {
  const feeBps = resolveFeeBps(options.feeBps);
  const all = Array.isArray(measured) ? (measured as readonly Measured[]) : [measured as Measured];
  const lines = all.flatMap((m) => measuredLines(units, m));
  const provider = lines.reduce((sum, l) => sum + l.amount, 0n);
  const fee = platformFee(provider, feeBps) + all.reduce((sum, m) => sum + flatFee(units, m), 0n);
  return {
    line_items: lines.map((l) => l.item),
    provider_amount_wei: provider.toString(),
    platform_fee_wei: fee.toString(),
    final_amount_wei: (provider + fee).toString(),
  };
};
