/**
 * The relayer wallet's gas balance on each network it can reach, as one metric per network. Settling on chain
 * costs the relayer gas; an empty wallet fails every relayer settlement, so the stack alarms before that.
 */
import { createPublicClient, formatEther, http, type Address } from 'viem';

export interface GasNetwork {
  readonly network: string;
  readonly rpcUrl?: string;
}

export type BalanceReader = (rpcUrl: string, address: Address) => Promise<bigint>;

export interface GasReading {
  readonly network: string;
  /** Native units (ETH on Base, AVAX on Avalanche). */
  readonly balance: number;
}

/** Reads every network that has an RPC endpoint; one that fails is reported, not hidden, and the others still count. */
export const readRelayerGas = async (
  address: Address,
  networks: readonly GasNetwork[],
  readBalance: BalanceReader,
): Promise<{ readings: GasReading[]; failures: { network: string; error: unknown }[] }> => {
  const reachable = networks.filter((n): n is GasNetwork & { rpcUrl: string } => Boolean(n.rpcUrl));
  const results = await Promise.allSettled(reachable.map(async (n) => ({ network: n.network, balance: Number(formatEther(await readBalance(n.rpcUrl, address))) })));
  const readings: GasReading[] = [];
  const failures: { network: string; error: unknown }[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') readings.push(result.value);
    else failures.push({ network: reachable[i]!.network, error: result.reason });
  });
  return { readings, failures };
};

/** The balance as the chain's JSON-RPC endpoint reports it (eth_getBalance), with a bounded wait. */
export const rpcBalance: BalanceReader = (rpcUrl, address) => createPublicClient({ transport: http(rpcUrl, { timeout: 10_000, retryCount: 1 }) }).getBalance({ address });
