/**
 * The x402 payment flow a paid route runs, in the order that keeps money safe:
 *   authorize (before the model): decode → verify offline → claim the nonce → chain/facilitator checks
 *   settle (after it):            settle the exact or metered amount → mark the nonce spent
 *   release (the call failed before settlement): give the nonce back so the same signature can be retried
 * Only `authorize` runs before the first upstream byte.
 */
import { describeError, logger } from '../../shared/observability/index.ts';
import { decodePaymentSignatureHeader } from './codec.ts';
import { PAYMENT_ERROR, paymentRefused, type PaymentErrorCode } from './errors.ts';
import type { NonceClaim, NonceStore } from './nonce-store.ts';
import type { PaymentRequirements, SettlementResponse } from './schemas.ts';
import type { SettleOptions, Settlement } from './settlement.ts';
import type { TypedDataVerifier, VerifiedPayment } from './verified.ts';
import { verifyPayment } from './verify.ts';

export interface PaymentGateOptions {
  readonly settlement: Settlement;
  readonly nonces: NonceStore;
  /** Epoch seconds. */
  readonly now?: () => number;
  readonly verifier?: TypedDataVerifier;
  readonly minValiditySeconds?: number;
}

export interface AuthorizeInput {
  /** The raw PAYMENT-SIGNATURE header (base64 or base64url). */
  readonly header: string;
  /** The offers of this request's challenge. */
  readonly offers: readonly PaymentRequirements[];
  /** The raw `x-x402-max-amount-wei` header, if sent. */
  readonly maxAmount?: string;
}

export interface AuthorizedPayment extends VerifiedPayment {
  readonly claim: NonceClaim;
}

export interface PaymentGate {
  authorize(input: AuthorizeInput): Promise<AuthorizedPayment>;
  settle(payment: AuthorizedPayment, options?: SettleOptions): Promise<SettlementResponse>;
  release(payment: AuthorizedPayment): Promise<void>;
}

const OUR_CODES = new Set<string>(Object.values(PAYMENT_ERROR));

/** Facilitators use their own reason strings; map the ones with a precise code of ours. */
export const refusalCodeFor = (reason: string | undefined): PaymentErrorCode => {
  const r = (reason ?? '').toLowerCase();
  if (OUR_CODES.has(r)) return r as PaymentErrorCode;
  if (r.includes('insufficient')) return PAYMENT_ERROR.insufficientFunds;
  if (r.includes('allowance')) return PAYMENT_ERROR.permit2AllowanceRequired;
  if (r.includes('signature')) return PAYMENT_ERROR.invalidSignature;
  if (r.includes('nonce')) return PAYMENT_ERROR.nonceReused;
  if (r.includes('valid_after') || r.includes('not_yet_valid') || r.includes('too_early')) return PAYMENT_ERROR.notYetValid;
  if (r.includes('expired') || r.includes('valid_before')) return PAYMENT_ERROR.expired;
  if (r.includes('recipient')) return PAYMENT_ERROR.wrongRecipient;
  if (r.includes('network')) return PAYMENT_ERROR.wrongNetwork;
  if (r.includes('token_mismatch') || r.includes('asset')) return PAYMENT_ERROR.wrongAsset;
  return PAYMENT_ERROR.verificationFailed;
};

export const createPaymentGate = (options: PaymentGateOptions): PaymentGate => {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    async authorize(input) {
      const payment = await verifyPayment(decodePaymentSignatureHeader(input.header), {
        offers: input.offers,
        now: now(),
        ...(input.maxAmount === undefined ? {} : { maxAmount: input.maxAmount }),
        ...(options.verifier ? { verifier: options.verifier } : {}),
        ...(options.minValiditySeconds === undefined ? {} : { minValiditySeconds: options.minValiditySeconds }),
      });
      // Claim before any RPC: concurrent replays are refused by one conditional write, not by racing the chain.
      const claim = await options.nonces.claim(payment);
      try {
        const checked = await options.settlement.verify(payment);
        if (!checked.isValid) {
          const code = refusalCodeFor(checked.invalidReason);
          throw paymentRefused(code, checked.invalidMessage ?? `The payment was refused: ${checked.invalidReason ?? 'invalid'}.`, {
            ...(checked.invalidReason && checked.invalidReason !== code ? { facilitatorReason: checked.invalidReason } : {}),
          });
        }
      } catch (error) {
        await options.nonces.release(claim);
        throw error;
      }
      return { ...payment, claim };
    },

    async settle(payment, settleOptions) {
      const result = await options.settlement.settle(payment, settleOptions);
      // A failed settlement keeps the claim in flight: the caller queues a retry, and the nonce must stay guarded.
      if (!result.success) return result;
      try {
        await options.nonces.markSpent(payment.claim, result.transaction);
      } catch (error) {
        // Bookkeeping only: the money moved, and the chain's own nonce state now refuses any replay. Still seen.
        logger.error('x402 nonce not marked spent after settlement', { payer: payment.payer, network: payment.network, transaction: result.transaction, error: describeError(error) });
      }
      return result;
    },

    release: (payment) => options.nonces.release(payment.claim),
  };
};
