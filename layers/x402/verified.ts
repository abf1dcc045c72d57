/** What verification hands to the rest of the payment flow, and what each scheme verifier is given. */
import type { Address, Hex, TypedDataDefinition } from 'viem';
import type { Network, PaymentPayload, PaymentRequirements, Scheme } from './schemas.ts';

export interface VerifiedPayment {
  readonly scheme: Scheme;
  readonly network: Network;
  readonly payer: Address;
  /** The server's own offer the payment matched (never the client's echo of it). */
  readonly requirements: PaymentRequirements;
  readonly payload: PaymentPayload;
  /** The most this authorization can move: the EIP-3009 value for `exact`, the Permit2 cap for `upto`. */
  readonly authorizedAmount: bigint;
  /** Identifies the on-chain nonce this authorization consumes; the replay guard claims it. */
  readonly nonceKey: string;
  /** Epoch seconds after which the authorization can no longer be settled. */
  readonly validBefore: number;
}

/** Checks a typed-data signature. The default recovers EOAs offline; pass `publicClient.verifyTypedData` for smart wallets. */
export type TypedDataVerifier = (args: TypedDataDefinition & { address: Address; signature: Hex }) => Promise<boolean>;

export interface SchemeContext {
  /** Epoch seconds. */
  readonly now: number;
  readonly minValiditySeconds: number;
  readonly verifier: TypedDataVerifier;
  /** `x-x402-max-amount-wei`: the most the client agreed an upto authorization may be for. */
  readonly maxAmount?: bigint;
}
