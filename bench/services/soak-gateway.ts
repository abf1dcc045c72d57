/**
 * The gateway the soak drives: the whole local runtime as `npm start` runs it — provider simulators (whose fault
 * controls the soak uses), the anvil chain with its test USDC (x402 settles there), the settlement queue and its
 * worker — minus the video pipeline, which the soak does not call. Loopback only.
 *
 * `node bench/services/soak-gateway.ts <data-dir>` prints one ready line with the URL, the runtime's environment
 * (endpoints and table names, for the money audit) and the chain: RPC URL, test USDC, merchant and the funded
 * payer wallets (anvil's public development keys, worthless anywhere but this loopback chain).
 */
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { announceReady } from '../lib/child.ts';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: soak-gateway.ts <data-dir>');

const runtime = await startLocalRuntime({ dataDir, stage: 'soak', simulateProviders: true, videos: false });
const chain = runtime.chain;
if (!chain) throw new Error('the soak needs the local chain');
// The handlers' Compose Key ledger (the same module instance the runtime loaded, its environment in place by now):
// how many key calls its budget leases served, for the soak's report.
const { keyLedger } = await import('../../functions/shared-services.ts');
// With --expose-gc, the heap after a full collection every 5 s: what is live, as opposed to RSS, which also
// counts V8's and malloc's slack. A leak grows this line; slack does not.
setInterval(() => {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  const l = keyLedger.leaseStats();
  const leases = { open: l.leases, served: l.served, waited: l.waited, perCall: l.perCall, unwritten: l.unwritten.toString() };
  process.stderr.write(`${JSON.stringify({ memory: { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers }, leases })}\n`);
}, 5_000).unref();
announceReady(
  {
    url: runtime.url,
    env: runtime.env,
    chain: {
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      usdc: chain.usdc,
      merchant: chain.merchant.address,
      wallets: chain.wallets.map((w) => ({ address: w.address, privateKey: w.privateKey })),
    },
  },
  () => runtime.close(),
);
