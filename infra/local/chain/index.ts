/**
 * `startLocalChain()`: a real EVM chain on loopback for `npm start` and the tests — anvil, the test USDC
 * (EIP-3009), Permit2 and the x402 upto proxy at their canonical addresses, and funded test wallets.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createNonceManager, jsonRpc } from 'viem/nonce';
import { loadArtifacts } from '../../../layers/x402/contracts/artifacts.ts';
import { caip2, type NetworkConfig } from '../../../layers/x402/networks.ts';
import type { Network } from '../../../layers/x402/schemas.ts';
import { ANVIL_FUNDED_ACCOUNTS, DEV_ROLES, devAccount, type DevAccount } from './accounts.ts';
import { startAnvil } from './anvil.ts';
import { MULTICALL3_ADDRESS, deployContracts, fundWallets } from './deploy.ts';

export type { DevAccount } from './accounts.ts';

export interface LocalChainOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Persist the chain (anvil state file) here; without it every start is a fresh chain. */
  readonly dataDir?: string;
  readonly chainId?: number;
  /** How many payer wallets to fund (at most 7: anvil funds ten accounts with gas). */
  readonly walletCount?: number;
  /** Test USDC minted to each payer wallet, in atomic units (6 decimals). Default 1,000 USDC. */
  readonly usdcPerWallet?: bigint;
}

export interface LocalChain {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly network: Network;
  readonly chain: Chain;
  readonly usdc: Address;
  readonly permit2: Address;
  readonly uptoProxy: Address;
  readonly multicall3: Address;
  /** Payers: hold test USDC and have approved Permit2. */
  readonly wallets: readonly DevAccount[];
  /** The built-in relayer wallet: pays gas for settlements and is the upto facilitator. */
  readonly relayer: DevAccount;
  /** The payment recipient (`payTo`) for local use. */
  readonly merchant: DevAccount;
  /** Owns the test USDC and can mint more. */
  readonly deployer: DevAccount;
  /** The chain as a payment network the gateway can offer. */
  readonly networkConfig: NetworkConfig;
  publicClient(): PublicClient;
  /** A wallet client for one of the dev accounts, with a nonce manager so concurrent sends do not collide. */
  walletClient(account: DevAccount): WalletClient<Transport, Chain, Account>;
  close(): Promise<void>;
}

export const startLocalChain = async (options: LocalChainOptions = {}): Promise<LocalChain> => {
  const chainId = options.chainId ?? 31337;
  const walletCount = options.walletCount ?? 5;
  if (walletCount < 1 || DEV_ROLES.firstWallet + walletCount > ANVIL_FUNDED_ACCOUNTS) {
    throw new RangeError(`walletCount must be between 1 and ${ANVIL_FUNDED_ACCOUNTS - DEV_ROLES.firstWallet}`);
  }
  // Read the committed build before starting anvil, so a missing file leaves no process behind.
  const artifacts = await loadArtifacts();
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const anvil = await startAnvil({
    ...(options.port === undefined ? {} : { port: options.port }),
    chainId,
    ...(options.dataDir ? { statePath: join(options.dataDir, 'anvil-state.json') } : {}),
  });

  try {
    const clients = chainClients(anvil.rpcUrl, chainId);
    const { publicClient, walletClient } = clients;
    const deployer = devAccount(DEV_ROLES.deployer);
    const wallets = Array.from({ length: walletCount }, (_, i) => devAccount(DEV_ROLES.firstWallet + i));
    const deployment = await deployContracts({
      publicClient,
      testClient: createTestClient({ mode: 'anvil', chain: clients.chain, transport: clients.transport }),
      deployer: walletClient(deployer),
      artifacts,
    });
    if (deployment.fresh) {
      await fundWallets({
        publicClient,
        deployer: walletClient(deployer),
        wallets: wallets.map(walletClient),
        usdc: deployment.usdc,
        amount: options.usdcPerWallet ?? 1_000_000_000n,
      });
    }
    return localChainOf(clients, deployment, wallets, () => anvil.close());
  } catch (error) {
    await anvil.close();
    throw error;
  }
};

/** viem's clients for the local chain at `rpcUrl`. */
export interface ChainClients {
  readonly rpcUrl: string;
  readonly chain: Chain;
  readonly transport: Transport;
  readonly publicClient: PublicClient;
  /** A wallet client signing locally, with a nonce manager shared by every client of this chain. */
  walletClient(account: DevAccount): WalletClient<Transport, Chain, Account>;
}

export const chainClients = (rpcUrl: string, chainId: number): ChainClients => {
  const chain = defineChain({
    id: chainId,
    name: 'Compose local (anvil)',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    contracts: { multicall3: { address: MULTICALL3_ADDRESS } },
  });
  // Automine makes receipts immediate; viem's default 4 s polling would dominate every test.
  const transport = http(rpcUrl);
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 25 }) as PublicClient;
  // One nonce manager per chain: viem's shared one would carry nonces over from an earlier chain in this process.
  const nonceManager = createNonceManager({ source: jsonRpc() });
  const walletClient = (account: DevAccount) =>
    createWalletClient({ chain, transport, pollingInterval: 25, account: privateKeyToAccount(account.privateKey, { nonceManager }) });
  return { rpcUrl, chain, transport, publicClient, walletClient };
};

/** A `LocalChain` from its clients, where its contracts are, and its payer wallets. */
export const localChainOf = (
  clients: ChainClients,
  deployment: Pick<LocalChain, 'usdc' | 'permit2' | 'uptoProxy' | 'multicall3'>,
  wallets: readonly DevAccount[],
  close: () => Promise<void>,
): LocalChain => {
  const chainId = clients.chain.id;
  const network = caip2(chainId);
  return {
    rpcUrl: clients.rpcUrl,
    chainId,
    network,
    chain: clients.chain,
    usdc: deployment.usdc,
    permit2: deployment.permit2,
    uptoProxy: deployment.uptoProxy,
    multicall3: deployment.multicall3,
    wallets,
    relayer: devAccount(DEV_ROLES.relayer),
    merchant: devAccount(DEV_ROLES.merchant),
    deployer: devAccount(DEV_ROLES.deployer),
    networkConfig: { network, chainId, name: 'Local anvil', usdc: deployment.usdc, rpcUrl: clients.rpcUrl },
    publicClient: () => clients.publicClient,
    walletClient: clients.walletClient,
    close,
  };
};
