/**
 * @pydantic/genai-prices as the catalog's second price source: its bundled snapshot only (no remote update), so
 * the build stays offline and repeatable. Tiered prices are read at their base tier.
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { PriceLookup } from './freshness.ts';

type Price = number | { readonly base: number } | undefined;

const base = (price: Price): number | undefined => (typeof price === 'number' ? price : price?.base);

export const genaiPricesLookup =
  (at: Date): PriceLookup =>
  (sourceProvider, upstreamModelId) => {
    const found = calcPrice({ input_tokens: 1, output_tokens: 1 }, upstreamModelId, { providerId: sourceProvider, timestamp: at });
    if (!found) return undefined;
    const prices = found.model_price as Readonly<Record<string, Price>>;
    return {
      ...(base(prices['input_mtok']) !== undefined ? { input: base(prices['input_mtok'])! } : {}),
      ...(base(prices['output_mtok']) !== undefined ? { output: base(prices['output_mtok'])! } : {}),
      ...(base(prices['cache_read_mtok']) !== undefined ? { cachedInput: base(prices['cache_read_mtok'])! } : {}),
      ...(found.model.deprecated ? { deprecated: true } : {}),
    };
  };
