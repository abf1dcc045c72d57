/**
 * x402 v2 on EVM: challenge, header codec, verification, replay guard and settlement. Everything a paid route
 * needs; chain and database clients are injected. The local-chain contracts (`contracts/`) are build tooling, deliberately not here.
 */
export { usdcAbi, eip5267Abi, permit2Abi, uptoProxyAbi } from './abi.ts';
export { buildPaymentRequired, withError, type ChallengeContext, type ChallengeInput } from './challenge.ts';
export { SETTLEMENT_ENV, settlementFromEnv, type SettlementDeps } from './config.ts';
export { checksumAddress, publicClientFor, relayerAccount, relayerChainFor } from './chain-clients.ts';
export { checkOnChain, type ChainCheckFailure, type ChainReader } from './chain-checks.ts';
export {
  decodeBase64Json,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  decodePaymentSignatureHeader,
  encodeBase64Json,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  encodePaymentSignatureHeader,
} from './codec.ts';
export {
  DEFAULT_MIN_VALIDITY_SECONDS,
  PAYMENT_HEADERS,
  PERMIT2_ADDRESS,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
  X402_VERSION,
} from './constants.ts';
export { createTokenDomainReader, type ContractReader, type TokenDomainReader } from './domain.ts';
export { PAYMENT_ERROR, isPaymentRefusal, paymentRefused, type PaymentErrorCode } from './errors.ts';
export { createFacilitatorSettlement, type FacilitatorOptions, type FacilitatorSettlement } from './facilitator.ts';
export {
  DEFAULT_CALL_DEADLINE_SECONDS,
  createPaymentGate,
  refusalCodeFor,
  type AcceptInput,
  type AuthorizeInput,
  type AuthorizedPayment,
  type BalanceReader,
  type ClaimInput,
  type ClaimedPayment,
  type PaymentGate,
  type PaymentGateOptions,
} from './gate.ts';
export { createExposureStore, exposureKey, type ExposureHold, type ExposureStore, type ExposureStoreOptions, type ReserveInput } from './exposure.ts';
// Types only: the SIWX verifier (sign-in.ts, with @x402/extensions, its zod 3 and the SIWE parser) is a module of its
// own, imported when a request signs in (shared/billing/x402-from-env.ts), so paying and settling never load it.
export type { SignIn, SignInChallenge, SignInOptions } from './sign-in.ts';
export {
  AVALANCHE_FUJI,
  AVALANCHE_MAINNET,
  BASE_MAINNET,
  BASE_SEPOLIA,
  caip2,
  chainIdOf,
  createNetworkRegistry,
  type NetworkConfig,
  type NetworkRegistry,
} from './networks.ts';
export {
  NONCE_STATE,
  NonceClaimLostError,
  createNonceStore,
  type NonceClaim,
  type NonceRecord,
  type NonceState,
  type NonceStore,
  type NonceStoreOptions,
  type NonceSubject,
} from './nonce-store.ts';
export { createRelayerSettlement, type RelayerChain, type RelayerOptions } from './relayer.ts';
export type {
  ExactEvmPayload,
  Network,
  PaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
  Scheme,
  SettlementResponse,
  SupportedResponse,
  UptoEvmPayload,
  VerifyResponse,
} from './schemas.ts';
export { eoaVerifier } from './signature.ts';
export { failedSettlement, requirementsFor, settlementAmount, type SettleOptions, type Settlement } from './settlement.ts';
export { TRANSFER_WITH_AUTHORIZATION_TYPES, UPTO_PERMIT_WITNESS_TYPES, exactTypedData, uptoTypedData, type TokenDomain } from './typed-data.ts';
export type { SchemeContext, TypedDataVerifier, VerifiedPayment } from './verified.ts';
export { verifyPayment, type VerifyOptions } from './verify.ts';
