/**
 * viem clients for one configured network: a public client (reads, balance checks) and the relayer's wallet.
 * Built here, in the adapter, so the domain wires x402 without importing viem itself: viem then ships once, in
 * the shared layer's x402 package, and is loaded only by calls that pay or sign in with x402.
 */
import { createPublicClient, createWalletClient, defineChain, getAddress, http, type Address, type Hex, type PrivateKeyAccount, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createNonceManager, jsonRpc } from 'viem/nonce';
import type { NetworkConfig } from './networks.ts';
import type { RelayerChain } from './relayer.ts';

const chainOf = (config: NetworkConfig) =>
  defineChain({ id: config.chainId, name: config.name, nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [config.rpcUrl ?? ''] } } });

/** A read client for the network's RPC endpoint; polls receipts every 100 ms. */
export const publicClientFor = (config: NetworkConfig): PublicClient =>
  createPublicClient({ chain: chainOf(config), transport: http(config.rpcUrl), pollingInterval: 100 }) as PublicClient;

/** The relayer's account from its private key, with a nonce manager so concurrent settlements never share a nonce. */
export const relayerAccount = (privateKey: string): PrivateKeyAccount =>
  privateKeyToAccount(privateKey as Hex, { nonceManager: createNonceManager({ source: jsonRpc() }) });

/** The relayer's wallet on one network, beside that network's read client. */
export const relayerChainFor = (config: NetworkConfig, account: PrivateKeyAccount, publicClient: PublicClient): RelayerChain => ({
  wallet: createWalletClient({ chain: chainOf(config), transport: http(config.rpcUrl), account }),
  public: publicClient,
});

/** An address in its checksummed form (throws on a malformed one). */
export const checksumAddress = (address: string): Address => getAddress(address);
