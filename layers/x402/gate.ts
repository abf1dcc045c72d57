/**
 * The x402 payment flow a paid route runs, in the order that keeps money safe:
 *   claim (before anything is read for the payer): decode → verify offline → claim the nonce → chain/facilitator checks
 *   accept (once the price is known):  verify against this call's offers → hold the amount against balance − in flight
 *   settle (after the model):          settle the exact or metered amount → mark the nonce spent → free the hold
 *   release (the call failed before settlement): give the nonce and the hold back so the signature can be retried
 * `authorize` is claim + accept. Only they run before the first upstream byte.
 */
import { describeError, logger } from '../core/observability/index.ts';
import { decodePaymentSignatureHeader } from './codec.ts';
import { PAYMENT_ERROR, paymentRefused, type PaymentErrorCode } from './errors.ts';
import type { Address } from 'viem';
import type { ExposureHold, ExposureStore } from './exposure.ts';
import { NONCE_STATE, type NonceClaim, type NonceStore } from './nonce-store.ts';
import type { Network, PaymentRequirements, SettlementResponse } from './schemas.ts';
import type { SettleOptions, Settlement } from './settlement.ts';
import type { TypedDataVerifier, VerifiedPayment } from './verified.ts';
import { verifyPayment } from './verify.ts';

export interface PaymentGateOptions {
  readonly settlement: Settlement;
  readonly nonces: NonceStore;
  /**
   * What each payer has in flight, with the balance reader it is checked against. Without it, a payer's
   * concurrent distinct authorizations are each checked against the whole balance (tests of single calls only).
   */
  readonly exposure?: { readonly store: ExposureStore; readonly balanceOf: BalanceReader };
  /** Epoch seconds. */
  readonly now?: () => number;
  readonly verifier?: TypedDataVerifier;
  readonly minValiditySeconds?: number;
}

/** The payer's on-chain balance of an asset. */
export type BalanceReader = (network: Network, asset: Address, payer: Address) => Promise<bigint>;

/** How long the call the payment funds may last, for the claims' and holds' deadlines (default 16 minutes). */
export const DEFAULT_CALL_DEADLINE_SECONDS = 16 * 60;

export interface ClaimInput {
  /** The raw PAYMENT-SIGNATURE header (base64 or base64url). */
  readonly header: string;
  /** Refuses (throws) a payment not addressed to this server: recipient, asset or network not ours. */
  readonly expect?: (requirements: PaymentRequirements) => void;
  /** Seconds the funded call may last; its claim frees itself this long after it was taken. */
  readonly deadlineSeconds?: number;
}

export interface AcceptInput {
  /** The offers of this request's challenge. */
  readonly offers: readonly PaymentRequirements[];
  /** The raw `x-x402-max-amount-wei` header, if sent. */
  readonly maxAmount?: string;
}

export interface AuthorizeInput extends AcceptInput, Omit<ClaimInput, 'expect'> {}

/** A payment whose nonce this request holds and whose chain state was checked: it proves its payer, once. */
export interface ClaimedPayment extends VerifiedPayment {
  readonly claim: NonceClaim;
  /** Epoch seconds: the deadline of the call it funds. */
  readonly deadline: number;
}

export interface AuthorizedPayment extends VerifiedPayment {
  readonly claim: NonceClaim;
  /** The payer's in-flight hold for this payment (absent when the gate counts no exposure). */
  readonly exposure?: ExposureHold;
}

export interface PaymentGate {
  /** Verifies the signature offline, claims the nonce, then checks chain state; the price is not known yet. */
  claim(input: ClaimInput): Promise<ClaimedPayment>;
  /** Checks a claimed payment against this call's offers and holds it against the payer's balance. */
  accept(claimed: ClaimedPayment, input: AcceptInput): Promise<AuthorizedPayment>;
  /** `claim` then `accept`, for a route that knows its price before it reads anything. */
  authorize(input: AuthorizeInput): Promise<AuthorizedPayment>;
  settle(payment: AuthorizedPayment, options?: SettleOptions): Promise<SettlementResponse>;
  /** A settlement failed after the model ran and is queued: the claim stays in flight until it lands. */
  keep(payment: AuthorizedPayment): Promise<void>;
  release(payment: AuthorizedPayment | ClaimedPayment): Promise<void>;
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
  const verifyOptions = {
    ...(options.verifier ? { verifier: options.verifier } : {}),
    ...(options.minValiditySeconds === undefined ? {} : { minValiditySeconds: options.minValiditySeconds }),
  };

  const logFailure = (event: string, payment: VerifiedPayment & { claim: NonceClaim }, error: unknown): void => {
    logger.error('x402 money bookkeeping failed', { event, payer: payment.payer, network: payment.network, nonceKey: payment.claim.key, error: describeError(error) });
  };

  const releaseHold = async (payment: AuthorizedPayment | ClaimedPayment): Promise<void> => {
    if ('exposure' in payment && payment.exposure) await options.exposure?.store.release(payment.exposure);
  };

  /** After a settlement landed: a hold that cannot be released now frees itself at its deadline; never fail the settlement. */
  const releaseHoldAfterSettle = (payment: AuthorizedPayment): Promise<void> =>
    releaseHold(payment).catch((error: unknown) => logFailure('x402_exposure_release_failed', payment, error));

  const claim = async (input: ClaimInput): Promise<ClaimedPayment> => {
    const payload = decodePaymentSignatureHeader(input.header);
    // Against the payment's own echo: the signature, window and recipient must agree with what it says it pays.
    const payment = await verifyPayment(payload, { offers: [payload.accepted], now: now(), ...verifyOptions });
    input.expect?.(payment.requirements);
    const deadline = now() + (input.deadlineSeconds ?? DEFAULT_CALL_DEADLINE_SECONDS);
    // Claim before any RPC: concurrent replays are refused by one conditional write, not by racing the chain.
    const nonceClaim = await options.nonces.claim(payment, deadline);
    try {
      const checked = await options.settlement.verify(payment);
      if (!checked.isValid) {
        const code = refusalCodeFor(checked.invalidReason);
        throw paymentRefused(code, checked.invalidMessage ?? `The payment was refused: ${checked.invalidReason ?? 'invalid'}.`, {
          ...(checked.invalidReason && checked.invalidReason !== code ? { facilitatorReason: checked.invalidReason } : {}),
        });
      }
    } catch (error) {
      await options.nonces.release(nonceClaim);
      throw error;
    }
    return { ...payment, claim: nonceClaim, deadline };
  };

  const accept = async (claimed: ClaimedPayment, input: AcceptInput): Promise<AuthorizedPayment> => {
    try {
      const payment = await verifyPayment(claimed.payload, {
        offers: input.offers,
        now: now(),
        ...(input.maxAmount === undefined ? {} : { maxAmount: input.maxAmount }),
        ...verifyOptions,
      });
      if (!options.exposure) return { ...payment, claim: claimed.claim };
      const { store, balanceOf } = options.exposure;
      const exposure = await store.reserve({
        network: payment.network,
        asset: payment.requirements.asset,
        payer: payment.payer,
        id: claimed.claim.claimId,
        amount: payment.authorizedAmount,
        balance: () => balanceOf(payment.network, payment.requirements.asset, payment.payer),
        deadline: claimed.deadline,
      });
      return { ...payment, claim: claimed.claim, exposure };
    } catch (error) {
      await options.nonces.release(claimed.claim);
      throw error;
    }
  };

  return {
    claim,
    accept,
    async authorize({ offers, maxAmount, ...rest }) {
      const acceptInput = { offers, ...(maxAmount === undefined ? {} : { maxAmount }) };
      // The price is known: refuse what does not match it before any write or RPC.
      await verifyPayment(decodePaymentSignatureHeader(rest.header), { ...acceptInput, now: now(), ...verifyOptions });
      return accept(await claim(rest), acceptInput);
    },

    async settle(payment, settleOptions) {
      // A duplicate delivery of a settlement that already landed: acknowledge it, move nothing.
      const recorded = await options.nonces.get(payment.claim.key);
      if (recorded?.state === NONCE_STATE.spent && recorded.claimId === payment.claim.claimId && recorded.transaction !== undefined) {
        await releaseHoldAfterSettle(payment);
        return { success: true, transaction: recorded.transaction, network: payment.network, payer: payment.payer, ...(recorded.amount ? { amount: recorded.amount } : {}) };
      }
      const result = await options.settlement.settle(payment, settleOptions);
      // A failed settlement keeps the claim and the hold: the caller queues a retry, and the money is still owed.
      if (!result.success) return result;
      try {
        await options.nonces.markSpent(payment.claim, result.transaction, result.amount);
      } catch (error) {
        // Bookkeeping only: the money moved, and the chain's own nonce state now refuses any replay. Still seen.
        logger.error('x402 nonce not marked spent after settlement', {
          event: 'x402_mark_spent_failed',
          payer: payment.payer,
          network: payment.network,
          transaction: result.transaction,
          error: describeError(error),
        });
      }
      await releaseHoldAfterSettle(payment);
      return result;
    },

    keep: (payment) => options.nonces.keep(payment.claim),

    async release(payment) {
      try {
        await options.nonces.release(payment.claim);
        await releaseHold(payment);
      } catch (error) {
        // Both free themselves at the call's deadline; said here so the operator sees why a payer waited.
        logFailure('x402_release_failed', payment, error);
        throw error;
      }
    },
  };
};
