/**
 * The environment variables that configure x402 (read by x402-from-env.ts). A module of its own, importing
 * nothing, so a reader of one setting (the relayer gas check reads X402_NETWORKS) does not load x402 and viem
 * from the layer with it: the x402 package is evaluated when its module is imported, used or not.
 *
 *   X402_PAY_TO               the address paid (x402 is off when unset)
 *   X402_NETWORKS             JSON array of NetworkConfig ({network, chainId, name, usdc, rpcUrl}); default Fuji + Base Sepolia
 *   X402_DEFAULT_NETWORK      CAIP-2 id used when a request sends no `x-chain-id`
 *   X402_RELAYER_PRIVATE_KEY  the relayer wallet (relayer settlement); deployed, it comes from Secrets Manager
 *   X402_SETTLEMENT, X402_FACILITATOR_URL  relayer (default) or facilitator, see layers/x402/config.ts
 *   X402_PUBLIC_ORIGIN        the origin Sign-In-With-X messages are bound to (e.g. https://api.example.com);
 *                             default: the origin each request was addressed to
 *   X402_SETTLE_FIRST_MIN_ATOMIC  `exact` payments of at least this many atomic units settle before the model runs
 *                             (unset: none; every call settles after it ran)
 */
export const X402_ENV = {
  /** In the provider secret (or the environment): a JSON object of headers sent on every facilitator call. */
  facilitatorHeaders: 'X402_FACILITATOR_HEADERS',
  payTo: 'X402_PAY_TO',
  networks: 'X402_NETWORKS',
  defaultNetwork: 'X402_DEFAULT_NETWORK',
  relayerKey: 'X402_RELAYER_PRIVATE_KEY',
  publicOrigin: 'X402_PUBLIC_ORIGIN',
  settleFirstMinAtomic: 'X402_SETTLE_FIRST_MIN_ATOMIC',
} as const;
