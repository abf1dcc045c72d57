/**
 * A local chain another process started (the shared e2e runtime's), reached through where its endpoints file
 * says it is, with payer wallets of the caller's own: fresh keys, funded as `startLocalChain` funds its dev
 * wallets (test USDC minted by the deployer, and each wallet's Permit2 approval), so nobody else ever moves their
 * balances. Several processes fund wallets on one chain at once, so the deployer's mints go through anvil's
 * unlocked account (`eth_sendTransaction`: the node assigns the nonce) rather than a nonce counted in one process.
 */
import { createTestClient, createWalletClient, parseEther, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { DEV_ROLES, devAccount, type DevAccount } from './accounts.ts';
import { fundWallets } from './deploy.ts';
import { chainClients, localChainOf, type LocalChain } from './index.ts';

/** Where a running local chain and its contracts are: enough for another process to use it. */
export interface LocalChainEndpoints {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly usdc: Address;
  readonly permit2: Address;
  readonly uptoProxy: Address;
  readonly multicall3: Address;
}

export const chainEndpoints = (chain: LocalChain): LocalChainEndpoints => ({
  rpcUrl: chain.rpcUrl,
  chainId: chain.chainId,
  usdc: chain.usdc,
  permit2: chain.permit2,
  uptoProxy: chain.uptoProxy,
  multicall3: chain.multicall3,
});

export interface ConnectOptions {
  /** Fresh payer wallets (default 5, as many as `startLocalChain` funds). */
  readonly walletCount?: number;
  /** Test USDC minted to each, in atomic units. Default 1,000 USDC. */
  readonly usdcPerWallet?: bigint;
}

/** The chain at `endpoints`, with funded wallets of this caller's own; `close` leaves the chain running. */
export const connectLocalChain = async (endpoints: LocalChainEndpoints, options: ConnectOptions = {}): Promise<LocalChain> => {
  const clients = chainClients(endpoints.rpcUrl, endpoints.chainId);
  const wallets: DevAccount[] = Array.from({ length: options.walletCount ?? 5 }, () => {
    const privateKey = generatePrivateKey();
    return { address: privateKeyToAccount(privateKey).address, privateKey };
  });
  // Gas for the approvals (and for anything the caller sends), set by anvil rather than sent by a funder.
  const testClient = createTestClient({ mode: 'anvil', chain: clients.chain, transport: clients.transport });
  await Promise.all(wallets.map((wallet) => testClient.setBalance({ address: wallet.address, value: parseEther('100') })));
  await fundWallets({
    publicClient: clients.publicClient,
    deployer: createWalletClient({ chain: clients.chain, transport: clients.transport, pollingInterval: 25, account: devAccount(DEV_ROLES.deployer).address }),
    wallets: wallets.map(clients.walletClient),
    usdc: endpoints.usdc,
    amount: options.usdcPerWallet ?? 1_000_000_000n,
  });
  return localChainOf(clients, endpoints, wallets, async () => undefined);
};
