/** The validity window shared by both schemes: EIP-3009 validAfter/validBefore, Permit2 validAfter/deadline. */
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import type { SchemeContext } from './verified.ts';

export const checkValidityWindow = (validAfter: bigint, validBefore: bigint, ctx: SchemeContext): void => {
  const now = BigInt(ctx.now);
  if (validAfter > now) {
    throw paymentRefused(PAYMENT_ERROR.notYetValid, `Payment authorization is not valid until ${validAfter} (now ${now}).`, {
      validAfter: validAfter.toString(),
      now: now.toString(),
    });
  }
  // Settlement is a transaction mined seconds from now; an authorization that lapses before then would fail on chain.
  if (validBefore < now + BigInt(ctx.minValiditySeconds)) {
    throw paymentRefused(PAYMENT_ERROR.expired, `Payment authorization expired at ${validBefore} (now ${now}, ${ctx.minValiditySeconds}s needed to settle).`, {
      validBefore: validBefore.toString(),
      now: now.toString(),
    });
  }
};

/** Epoch seconds as a safe JS number, for TTLs; an absurdly distant expiry is clamped rather than overflowing. */
export const toEpochSeconds = (value: bigint): number => (value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value));
