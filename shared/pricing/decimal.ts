/**
 * Exact money arithmetic. Catalog prices are JSON numbers in USD; a float is never multiplied with money.
 * A number becomes the decimal its author wrote (JavaScript's shortest round-trip form: `0.15` → "0.15",
 * `1.5e-7` → "1.5e-7"), that decimal becomes an exact rational of bigints, and the only rounding in the whole
 * engine is one ceiling to USDC atomic units (6 decimals) per line item (see `atomicCeil`).
 */
import { InternalError } from '../../layers/core/errors.ts';

/** value = n / d, with n ≥ 0 and d > 0. */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** USDC atomic units per USD. */
export const ATOMIC_PER_USD = 1_000_000n;

const DECIMAL = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d{1,3}))?$/i;

/** An exact, non-negative decimal from a number or decimal string. Throws on NaN, infinities and negatives. */
export const exactDecimal = (value: number | string, what: string): Rational => {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new InternalError(`${what} is not a finite number`);
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  const whole = match?.[1] ?? '';
  const fraction = match?.[2] ?? '';
  if (!match || whole.length + fraction.length === 0) throw new InternalError(`${what} is not a non-negative decimal`);
  const scale = fraction.length - Number(match[3] ?? 0);
  const digits = BigInt(whole + fraction);
  return scale >= 0 ? { n: digits, d: 10n ** BigInt(scale) } : { n: digits * 10n ** BigInt(-scale), d: 1n };
};

export const ratio = (n: bigint, d: bigint): Rational => ({ n, d });

export const multiply = (a: Rational, b: Rational): Rational => ({ n: a.n * b.n, d: a.d * b.d });

/** ⌈n / d⌉ for n ≥ 0, d > 0. */
export const ceilDiv = (n: bigint, d: bigint): bigint => (n + d - 1n) / d;

/** ⌈usd × 10⁶⌉: the one place a USD amount is rounded, always up, so the payer is never under-charged. */
export const atomicCeil = (usd: Rational): bigint => ceilDiv(usd.n * ATOMIC_PER_USD, usd.d);

/** For display fields only (`quantity`, `unit_price_usd`): the nearest double of an exact rational. */
export const toNumber = (value: Rational): number => Number(value.n) / Number(value.d);

/** "1.234567" for an atomic amount: messages and the CLI, never arithmetic. */
export const formatUsd = (atomic: bigint): string => {
  const whole = atomic / ATOMIC_PER_USD;
  const fraction = (atomic % ATOMIC_PER_USD).toString().padStart(6, '0');
  return `${whole}.${fraction}`;
};

/** "5.00" → 5000000n. USD with more than 6 decimals is refused rather than rounded. */
export const parseUsd = (text: string): bigint => {
  const usd = exactDecimal(text, 'amount');
  const scaled = usd.n * ATOMIC_PER_USD;
  if (scaled % usd.d !== 0n) throw new InternalError('amount has more than 6 decimals');
  return scaled / usd.d;
};
