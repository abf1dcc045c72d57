/**
 * Every reason a payment is refused, each with its own stable code. All are 402s so an x402 client sees a fresh
 * challenge and can retry; the code and the human reason tell it (and its operator) what to fix.
 */
import { PaymentRequiredError } from '../core/errors.ts';

export const PAYMENT_ERROR = {
  malformed: 'payment_malformed',
  unsupportedVersion: 'payment_unsupported_version',
  unsupportedScheme: 'payment_unsupported_scheme',
  wrongNetwork: 'payment_wrong_network',
  wrongAsset: 'payment_wrong_asset',
  wrongRecipient: 'payment_wrong_recipient',
  wrongSpender: 'payment_wrong_spender',
  wrongFacilitator: 'payment_wrong_facilitator',
  requirementsMismatch: 'payment_requirements_mismatch',
  underpaid: 'payment_underpaid',
  exceedsMaxAmount: 'payment_exceeds_max_amount',
  expired: 'payment_expired',
  notYetValid: 'payment_not_yet_valid',
  invalidSignature: 'payment_invalid_signature',
  nonceReused: 'payment_nonce_reused',
  insufficientFunds: 'payment_insufficient_funds',
  fundsInFlight: 'payment_funds_in_flight',
  permit2AllowanceRequired: 'payment_permit2_allowance_required',
  verificationFailed: 'payment_verification_failed',
  settlementFailed: 'payment_settlement_failed',
} as const;

export type PaymentErrorCode = (typeof PAYMENT_ERROR)[keyof typeof PAYMENT_ERROR];

/** A refused payment. `details.reason` repeats the code for clients that only read `details`. */
export const paymentRefused = (code: PaymentErrorCode, message: string, details: Record<string, unknown> = {}): PaymentRequiredError =>
  new PaymentRequiredError(code, message, { details: { reason: code, ...details } });

export const isPaymentRefusal = (error: unknown, code?: PaymentErrorCode): error is PaymentRequiredError =>
  error instanceof PaymentRequiredError && (code === undefined || error.code === code);
