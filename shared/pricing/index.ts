/** The pricing engine: worst-case quotes before a call, metered charges after it, in USDC atomic units. */
export { quoteWorstCase, INPUT_ESTIMATE, AUDIO_MIN_BYTES_PER_SECOND } from './quote.ts';
export { meter } from './meter.ts';
export { platformFee, platformFeeBpsFromEnv, PLATFORM_FEE_ENV } from './fee.ts';
export { defaultPricingUnit, selectUnit, PRICING_ERROR_CODES } from './units.ts';
export { formatUsd, parseUsd, ATOMIC_PER_USD } from './decimal.ts';
export { UNIT_KEYS } from './types.ts';
export type { Charge, LineItem, Measured, PricingOptions, PricingUnit, Quote, QuoteRequest, TokenUsage, UnitKey } from './types.ts';
