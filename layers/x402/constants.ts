/**
 * Protocol constants of x402 v2 on EVM. The Permit2 and upto-proxy addresses are the canonical ones the official
 * `@x402/evm` client signs for (it does not read them from the challenge), so every network, the local anvil chain
 * included, must have those contracts at exactly these addresses.
 */
export const X402_VERSION = 2;

export const PAYMENT_HEADERS = {
  /** Server → client on 402: base64 JSON `PaymentRequired`. */
  required: 'PAYMENT-REQUIRED',
  /** Client → server: base64 JSON `PaymentPayload`. */
  signature: 'PAYMENT-SIGNATURE',
  /** Server → client after settlement: base64 JSON `SettlementResponse`. */
  response: 'PAYMENT-RESPONSE',
  /** Client → server: the most an `upto` authorization may be for, in USDC atomic units. */
  maxAmount: 'x-x402-max-amount-wei',
  /** Client → server: selects the network by EVM chain id. */
  chainId: 'x-chain-id',
} as const;

export const PERMIT2_ADDRESS = '0x000000000022D473030F116dDEE9F6B43aC78BA3' as const;
export const X402_UPTO_PERMIT2_PROXY_ADDRESS = '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002' as const;

/** Settlement is a transaction that takes seconds: an authorization must outlive it by at least this much. */
export const DEFAULT_MIN_VALIDITY_SECONDS = 6;
