/** `startLocalChain()`: fast, isolated, deterministic, and persistent when given a data directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLocalChain } from '../../infra/local/chain/banner.ts';
import { chainEndpoints, connectLocalChain } from '../../infra/local/chain/connect.ts';
import { startLocalChain, type LocalChain } from '../../infra/local/chain/index.ts';
import { usdcAbi } from '../../layers/x402/abi.ts';
import { PERMIT2_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from '../../layers/x402/constants.ts';

const open: LocalChain[] = [];
const start = async (...args: Parameters<typeof startLocalChain>): Promise<LocalChain> => {
  const chain = await startLocalChain(...args);
  open.push(chain);
  return chain;
};
afterAll(() => Promise.all(open.map((c) => c.close())));

const read = (chain: LocalChain, functionName: 'balanceOf', owner: `0x${string}`) =>
  chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName, args: [owner] });
const allowance = (chain: LocalChain, owner: `0x${string}`) =>
  chain.publicClient().readContract({ address: chain.usdc, abi: usdcAbi, functionName: 'allowance', args: [owner, PERMIT2_ADDRESS] });

describe('startLocalChain', () => {
  it('runs independent chains side by side on free loopback ports, with the same deterministic addresses', async () => {
    const [a, b] = await Promise.all([start({ walletCount: 2 }), start({ walletCount: 2, usdcPerWallet: 5_000_000n })]);
    expect(a.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(a.rpcUrl).not.toBe(b.rpcUrl);
    expect(a.usdc).toBe(b.usdc);
    expect([a.permit2, a.uptoProxy]).toEqual([PERMIT2_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS]);
    expect(a.network).toBe('eip155:31337');
    expect(await read(a, 'balanceOf', a.wallets[0]!.address)).toBe(1_000_000_000n);
    expect(await read(b, 'balanceOf', b.wallets[0]!.address)).toBe(5_000_000n);
    expect(await read(a, 'balanceOf', a.merchant.address)).toBe(0n);
    expect(await allowance(a, a.wallets[1]!.address)).toBe(2n ** 256n - 1n);
  });

  it('starts a fresh chain again in the same process (no nonce carried over from the last one)', async () => {
    const first = await start({ walletCount: 1 });
    await first.close();
    const second = await start({ walletCount: 1 });
    expect(await read(second, 'balanceOf', second.wallets[0]!.address)).toBe(1_000_000_000n);
  });

  it('keeps its state across restarts when given a data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'compose-chain-'));
    try {
      const first = await start({ dataDir, walletCount: 1 });
      const payer = first.walletClient(first.wallets[0]!);
      const hash = await payer.writeContract({ address: first.usdc, abi: usdcAbi, functionName: 'transfer', args: [first.merchant.address, 42n] });
      await first.publicClient().waitForTransactionReceipt({ hash });
      await first.close();

      const again = await start({ dataDir, walletCount: 1 });
      expect(again.usdc).toBe(first.usdc);
      expect(await read(again, 'balanceOf', again.merchant.address)).toBe(42n);
      expect(await read(again, 'balanceOf', again.wallets[0]!.address)).toBe(1_000_000_000n - 42n);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('describes itself for the start-up banner, wallets and keys included', async () => {
    const chain = open.at(-1)!;
    const lines = describeLocalChain(chain, new Map([[chain.wallets[0]!.address, 1_500_000n]]));
    expect(lines.join('\n')).toContain(chain.usdc);
    expect(lines.at(-1)).toBe(`    ${chain.wallets[0]!.address}  ${chain.wallets[0]!.privateKey}  1.500000 USDC`);
  });
});

describe('connectLocalChain', () => {
  it('gives each caller funded wallets of its own on a running chain, even when they fund at the same time', async () => {
    const chain = await start({ walletCount: 1 });
    // Two callers at once, as two test files connecting to the shared runtime's chain: each funds its wallets
    // through the deployer, whose nonce the node assigns to both.
    const [a, b] = await Promise.all([connectLocalChain(chainEndpoints(chain), { walletCount: 3 }), connectLocalChain(chainEndpoints(chain), { walletCount: 2, usdcPerWallet: 7n })]);
    expect([a.usdc, a.rpcUrl, a.network, a.merchant, a.relayer]).toEqual([chain.usdc, chain.rpcUrl, chain.network, chain.merchant, chain.relayer]);
    const wallets = [...a.wallets, ...b.wallets].map((w) => w.address);
    expect(new Set([...wallets, ...chain.wallets.map((w) => w.address)]).size).toBe(6);
    for (const wallet of a.wallets) expect(await read(chain, 'balanceOf', wallet.address)).toBe(1_000_000_000n);
    for (const wallet of b.wallets) expect(await read(chain, 'balanceOf', wallet.address)).toBe(7n);
    for (const wallet of [...a.wallets, ...b.wallets]) expect(await allowance(chain, wallet.address)).toBe(2n ** 256n - 1n);
    // A connected wallet can send on its own: it has gas.
    const hash = await b.walletClient(b.wallets[0]!).writeContract({ address: b.usdc, abi: usdcAbi, functionName: 'transfer', args: [b.merchant.address, 7n] });
    expect((await b.publicClient().waitForTransactionReceipt({ hash })).status).toBe('success');
    // Closing a connection leaves the chain running.
    await a.close();
    expect(await read(chain, 'balanceOf', chain.merchant.address)).toBe(7n);
  });
});
