/**
 * The networks the gateway accepts payments on. Avalanche Fuji and Base Sepolia are the public test networks; the
 * local anvil chain is added at start-up with the address its test USDC was deployed to. The USDC EIP-712 domain
 * name is deliberately absent here: it differs between deployments ("USD Coin" on Fuji, "USDC" on Base Sepolia),
 * so it is read from the token contract (see `domain.ts`).
 */
import type { Address } from 'viem';
import { InvalidRequestError } from '../core/errors.ts';
import type { Network } from './schemas.ts';

export interface NetworkConfig {
  readonly network: Network;
  readonly chainId: number;
  readonly name: string;
  /** The USDC contract payments are made in. */
  readonly usdc: Address;
  /** JSON-RPC endpoint; optional because a deployment may only reach a chain through its facilitator. */
  readonly rpcUrl?: string;
  /**
   * The token's EIP-712 domain, when known for this deployment of USDC; clients sign over it. Absent: read from
   * the token contract (`domain.ts`), which needs `rpcUrl`.
   */
  readonly eip712?: { readonly name: string; readonly version: string };
}

export const AVALANCHE_FUJI: NetworkConfig = {
  network: 'eip155:43113',
  chainId: 43113,
  name: 'Avalanche Fuji',
  usdc: '0x5425890298aed601595a70AB815c96711a31Bc65',
};

export const BASE_SEPOLIA: NetworkConfig = {
  network: 'eip155:84532',
  chainId: 84532,
  name: 'Base Sepolia',
  usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
};

/**
 * The production networks: Circle's native USDC on Base and on Avalanche C-Chain, with the EIP-712 domain both
 * deployments sign with (as @x402/evm's default assets list them), so a facilitator-settled deployment needs no RPC.
 */
export const BASE_MAINNET: NetworkConfig = {
  network: 'eip155:8453',
  chainId: 8453,
  name: 'Base',
  usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  eip712: { name: 'USD Coin', version: '2' },
};

export const AVALANCHE_MAINNET: NetworkConfig = {
  network: 'eip155:43114',
  chainId: 43114,
  name: 'Avalanche C-Chain',
  usdc: '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E',
  eip712: { name: 'USD Coin', version: '2' },
};

export const caip2 = (chainId: number): Network => `eip155:${chainId}`;

export const chainIdOf = (network: Network): number => Number(network.slice('eip155:'.length));

export interface NetworkRegistry {
  readonly default: NetworkConfig;
  list(): readonly NetworkConfig[];
  get(network: string): NetworkConfig | undefined;
  /** Resolves an `x-chain-id` header (decimal chain id); absent means the default network. */
  fromChainIdHeader(header: string | undefined): NetworkConfig;
}

export const createNetworkRegistry = (networks: readonly NetworkConfig[], defaultNetwork: Network): NetworkRegistry => {
  const byNetwork = new Map(networks.map((n) => [n.network, n] as const));
  const fallback = byNetwork.get(defaultNetwork);
  if (!fallback) throw new Error(`default network ${defaultNetwork} is not among the configured networks`);
  return {
    default: fallback,
    list: () => [...byNetwork.values()],
    get: (network) => byNetwork.get(network as Network),
    fromChainIdHeader: (header) => {
      if (header === undefined || header.trim() === '') return fallback;
      const config = /^\d{1,16}$/.test(header.trim()) ? byNetwork.get(caip2(Number(header.trim()))) : undefined;
      if (!config) {
        const known = [...byNetwork.values()].map((n) => `${n.chainId} (${n.name})`).join(', ');
        throw new InvalidRequestError('unsupported_chain_id', `x-chain-id ${header} is not a supported network; use one of ${known}.`, {
          param: 'x-chain-id',
        });
      }
      return config;
    },
  };
};
