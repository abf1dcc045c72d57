/**
 * Verifies a decoded PAYMENT-SIGNATURE against the offers of this request, before the model runs. Pure CPU: no
 * RPC, no database. The replay guard (`nonce-store.ts`) and the on-chain checks (`Settlement.verify`) follow.
 */
import { DEFAULT_MIN_VALIDITY_SECONDS, X402_VERSION } from './constants.ts';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import { matchOffer } from './match.ts';
import type { PaymentPayload, PaymentRequirements } from './schemas.ts';
import { eoaVerifier } from './signature.ts';
import type { TypedDataVerifier, VerifiedPayment } from './verified.ts';
import { verifyExact } from './verify-exact.ts';
import { verifyUpto } from './verify-upto.ts';

export interface VerifyOptions {
  /** The requirements this request offered (the `accepts` of its challenge). */
  readonly offers: readonly PaymentRequirements[];
  /** `x-x402-max-amount-wei`, when the client sent it. */
  readonly maxAmount?: string | bigint;
  /** Epoch seconds; defaults to the wall clock. */
  readonly now?: number;
  readonly minValiditySeconds?: number;
  readonly verifier?: TypedDataVerifier;
}

const parseMaxAmount = (value: string | bigint | undefined): bigint | undefined => {
  if (value === undefined || typeof value === 'bigint') return value;
  if (!/^\d{1,78}$/.test(value.trim())) {
    throw paymentRefused(PAYMENT_ERROR.malformed, 'x-x402-max-amount-wei must be a non-negative integer in USDC atomic units.');
  }
  return BigInt(value.trim());
};

export const verifyPayment = async (payment: PaymentPayload, options: VerifyOptions): Promise<VerifiedPayment> => {
  if (payment.x402Version !== X402_VERSION) {
    throw paymentRefused(PAYMENT_ERROR.unsupportedVersion, `x402Version ${payment.x402Version} is not supported; use ${X402_VERSION}.`);
  }
  const offer = matchOffer(payment.accepted, options.offers);
  const maxAmount = parseMaxAmount(options.maxAmount);
  const ctx = {
    now: options.now ?? Math.floor(Date.now() / 1000),
    minValiditySeconds: options.minValiditySeconds ?? DEFAULT_MIN_VALIDITY_SECONDS,
    verifier: options.verifier ?? eoaVerifier,
    ...(maxAmount === undefined ? {} : { maxAmount }),
  };
  return offer.scheme === 'exact' ? verifyExact(payment, offer, ctx) : verifyUpto(payment, offer, ctx);
};
