/** The platform fee: basis points of the provider amount, rounded up to an atomic unit. */
import { InternalError } from '../../layers/core/errors.ts';
import { ceilDiv } from './decimal.ts';

export const PLATFORM_FEE_ENV = 'PLATFORM_FEE_BPS';
export const MAX_FEE_BPS = 10_000;

/** `PLATFORM_FEE_BPS` (an integer 0–10000); unset means no fee. A malformed value is a deployment error, not a free ride. */
export const platformFeeBpsFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env[PLATFORM_FEE_ENV];
  if (raw === undefined || raw.trim() === '') return 0;
  const bps = Number(raw);
  if (!Number.isInteger(bps) || bps < 0 || bps > MAX_FEE_BPS) {
    throw new InternalError(`${PLATFORM_FEE_ENV} must be an integer from 0 to ${MAX_FEE_BPS}`);
  }
  return bps;
};

export const resolveFeeBps = (feeBps: number | undefined): number => {
  if (feeBps === undefined) return platformFeeBpsFromEnv();
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) throw new InternalError(`feeBps must be an integer from 0 to ${MAX_FEE_BPS}`);
  return feeBps;
};

/** ⌈provider × bps / 10⁴⌉. Monotone in `provider`, so a fee on a worst case bounds the fee on the metered amount. */
export const platformFee = (providerAmount: bigint, feeBps: number): bigint => ceilDiv(providerAmount * BigInt(feeBps), BigInt(MAX_FEE_BPS));
