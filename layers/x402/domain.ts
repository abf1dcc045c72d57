/**
 * Reads a token's EIP-712 domain name and version from the chain, once per token. The `exact` challenge must carry
 * them (clients sign over them), and they differ between USDC deployments, so they are never hard-coded.
 */
import type { Address, PublicClient } from 'viem';
import { eip5267Abi, usdcAbi } from './abi.ts';
import type { Network } from './schemas.ts';
import type { TokenDomain } from './typed-data.ts';

export type ContractReader = Pick<PublicClient, 'readContract'>;

export interface TokenDomainReader {
  read(network: Network, token: Address): Promise<TokenDomain>;
}

/**
 * `clientFor` returns the chain client for a network. EIP-5267 `eip712Domain()` is the authoritative source when a
 * token has it; USDC does not, so `name()` and `version()` are read in the same round trip as the fallback.
 */
export const createTokenDomainReader = (clientFor: (network: Network) => ContractReader): TokenDomainReader => {
  const cache = new Map<string, Promise<TokenDomain>>();
  const fetchDomain = async (network: Network, token: Address): Promise<TokenDomain> => {
    const client = clientFor(network);
    const [eip5267, name, version] = await Promise.allSettled([
      client.readContract({ address: token, abi: eip5267Abi, functionName: 'eip712Domain' }),
      client.readContract({ address: token, abi: usdcAbi, functionName: 'name' }),
      client.readContract({ address: token, abi: usdcAbi, functionName: 'version' }),
    ]);
    if (eip5267.status === 'fulfilled') return { name: eip5267.value[1], version: eip5267.value[2] };
    if (name.status === 'fulfilled' && version.status === 'fulfilled') return { name: name.value, version: version.value };
    const reason = name.status === 'rejected' ? name.reason : version.status === 'rejected' ? version.reason : undefined;
    throw new Error(`cannot read the EIP-712 domain of ${token} on ${network}`, { cause: reason });
  };
  return {
    read: (network, token) => {
      const key = `${network}/${token.toLowerCase()}`;
      let pending = cache.get(key);
      if (!pending) {
        pending = fetchDomain(network, token);
        // A failed read (RPC down) must not poison the cache for the life of the process.
        pending.catch(() => cache.delete(key));
        cache.set(key, pending);
      }
      return pending;
    },
  };
};
