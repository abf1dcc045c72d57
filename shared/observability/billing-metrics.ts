/**
 * Spend per model, measured where every paid call ends: a Billing whose payments report what they charged
 * (the receipt's final amount, USDC atomic units) under the model the price was quoted for. Wraps, never changes,
 * the money flow: the metric is written after `finalize` has returned.
 */
import type { Billing, Payer, Payment } from '../billing/types.ts';
import { ATOMIC_PER_USD } from '../pricing/decimal.ts';
import { recordSpend } from '../../layers/core/observability/index.ts';

// Spread, so whatever else a payment or payer carries (an output cap, a creation check) passes through unchanged.
const withSpend = (payment: Payment, model: string): Payment => ({
  ...payment,
  finalize: async (outcome) => {
    const settled = await payment.finalize(outcome);
    const amount = settled.receipt?.final_amount_wei;
    if (amount !== undefined && amount !== '0') recordSpend(model, Number(BigInt(amount)) / Number(ATOMIC_PER_USD));
    return settled;
  },
});

const withSpendPayer = (payer: Payer): Payer => ({
  ...payer,
  charge: async (price) => withSpend(await payer.charge(price), price.modelId),
});

export const withSpendMetrics = (billing: Billing): Billing => ({
  ...billing,
  identify: async (http, surface) => withSpendPayer(await billing.identify(http, surface)),
});
