/**
 * How a verified payment is checked against the chain and then settled. Two implementations, picked by
 * configuration: a built-in relayer wallet (`relayer.ts`) and an x402 facilitator over HTTP (`facilitator.ts`).
 * Both resolve failures to `{success:false, errorReason}` rather than throwing, so the caller can queue a retry.
 */
import type { Address } from 'viem';
import type { Network, PaymentRequirements, SettlementResponse, VerifyResponse } from './schemas.ts';
import type { VerifiedPayment } from './verified.ts';

export interface SettleOptions {
  /** `upto` only: the metered amount in atomic units. Capped at the authorization; 0 settles nothing. */
  readonly amount?: bigint;
}

export interface Settlement {
  readonly mode: 'relayer' | 'facilitator';
  /** The account that settles `upto` on this network (the client's witness must name it); undefined: no upto. */
  uptoFacilitator(network: Network): Promise<Address | undefined>;
  /** Chain-state checks before the model runs: funds, allowance, nonce not already used on chain. */
  verify(payment: VerifiedPayment): Promise<VerifyResponse>;
  settle(payment: VerifiedPayment, options?: SettleOptions): Promise<SettlementResponse>;
}

/**
 * The amount to settle. `exact` moves the signed value. `upto` moves the metered amount, and never more than the
 * authorization: if metering ever exceeded the worst-case quote, the client pays the cap it agreed to, not more.
 */
export const settlementAmount = (payment: VerifiedPayment, options: SettleOptions = {}): bigint => {
  if (payment.scheme === 'exact' || options.amount === undefined) return payment.authorizedAmount;
  if (options.amount < 0n) throw new RangeError('settlement amount must not be negative');
  return options.amount < payment.authorizedAmount ? options.amount : payment.authorizedAmount;
};

/**
 * Requirements as the x402 facilitator API wants them: for `upto` the amount is phase-dependent (the cap at
 * verification, the settled amount at settlement).
 */
export const requirementsFor = (payment: VerifiedPayment, amount: bigint): PaymentRequirements =>
  payment.scheme === 'upto' ? { ...payment.requirements, amount: amount.toString() } : payment.requirements;

export const failedSettlement = (payment: VerifiedPayment, errorReason: string, errorMessage?: string, transaction = ''): SettlementResponse => ({
  success: false,
  errorReason,
  ...(errorMessage ? { errorMessage: errorMessage.slice(0, 300) } : {}),
  transaction,
  network: payment.network,
  payer: payment.payer,
});
