/** Line items: exact quantity × exact unit price, rounded up to an atomic unit once, here. */
import { InternalError } from '../../layers/core/errors.ts';
import { atomicCeil, exactDecimal, multiply, ratio, toNumber, type Rational } from './decimal.ts';
import type { LineItem } from './types.ts';

export interface PricedLine {
  readonly item: LineItem;
  readonly amount: bigint;
}

export const line = (key: string, unit: string, quantity: Rational, price: Rational, priceEntry?: string): PricedLine => {
  const amount = atomicCeil(multiply(quantity, price));
  return {
    amount,
    item: {
      key,
      unit,
      quantity: toNumber(quantity),
      unit_price_usd: toNumber(price),
      amount_wei: amount.toString(),
      ...(priceEntry === undefined ? {} : { price_entry: priceEntry }),
    },
  };
};

/** A count (tokens, images, characters, requests): a non-negative integer, or the measurement is broken. */
export const count = (value: number, what: string): Rational => {
  if (!Number.isSafeInteger(value) || value < 0) throw new InternalError(`${what} must be a non-negative integer, got ${value}`);
  return ratio(BigInt(value), 1n);
};

/** A duration or other measure that may be fractional (seconds of audio or video). */
export const amountOf = (value: number, what: string): Rational => {
  if (!Number.isFinite(value) || value < 0) throw new InternalError(`${what} must be a non-negative number, got ${value}`);
  return exactDecimal(value, what);
};

export const SECONDS_PER_MINUTE = 60n;
