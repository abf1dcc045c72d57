/**
 * The scheduled relayer gas check against a real chain (the local anvil stand-in): it publishes the wallet's
 * native balance per network as the RelayerGasBalance metric the low-gas alarm watches, and logs a network it
 * cannot read instead of publishing a number for it (the alarm treats the missing point as breaching).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { devAccount } from '../../infra/local/chain/accounts.ts';
import { startAnvil, type AnvilProcess } from '../../infra/local/chain/anvil.ts';

let anvil: AnvilProcess;
const relayer = devAccount(3).address;

beforeAll(async () => {
  anvil = await startAnvil();
  // What the stack sets on the check function (infra/lib/relayer-gas-check.ts); metrics on, as in Lambda.
  process.env.X402_RELAYER_ADDRESS = relayer;
  process.env.X402_NETWORKS = JSON.stringify([
    { network: 'eip155:31337', chainId: 31337, name: 'anvil', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', rpcUrl: anvil.rpcUrl },
    // Nothing listens here: a network whose RPC is down.
    { network: 'eip155:8453', chainId: 8453, name: 'Base', usdc: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', rpcUrl: 'http://127.0.0.1:9' },
    { network: 'eip155:43114', chainId: 43114, name: 'Avalanche', usdc: '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E' },
  ]);
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  process.env.STAGE = 'test';
});

afterAll(() => anvil.close());
afterEach(() => vi.restoreAllMocks());

describe('relayer gas check', () => {
  it('publishes the balance of each readable network and logs the one it cannot read', async () => {
    const written: string[] = [];
    const collect = (chunk: unknown): boolean => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(collect as never);
    vi.spyOn(process.stderr, 'write').mockImplementation(collect as never);
    const { handler } = await import('../../functions/relayer-gas-check/handler.ts');
    await handler({}, { awsRequestId: 'scheduled-1', functionName: 'relayer-gas-check' } as never);
    const lines = written.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, any>);
    const metrics = lines.filter((l) => l.RelayerGasBalance !== undefined);
    // anvil funds its dev accounts with 10,000 ETH.
    expect(metrics).toEqual([expect.objectContaining({ RelayerGasBalance: 10_000, network: 'eip155:31337', stage: 'test' })]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'relayer gas balance not read', network: 'eip155:8453', address: relayer }));
  });
});
