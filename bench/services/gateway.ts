/**
 * The gateway under test, in its own process so its RSS is its own: the local runtime (API Gateway emulation,
 * the real Lambda handlers, dynalite and s3rver in-process) with the openai provider pointed at the bench's
 * loopback upstream (provider simulators and the x402 chain are off: nothing here calls them). Paid routes need a payer: where the runtime can mint a local Compose Key, the ready line
 * carries one (`authorization`) with a budget far above what a run spends.
 *
 * `node bench/services/gateway.ts <upstream-url> <data-dir> [--trace]` prints its URL as a ready line; with
 * --trace it also logs its DynamoDB/S3/provider calls for the key-path measurement (see trace.ts).
 */
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { announceReady } from '../lib/child.ts';
import { installTrace } from './trace.ts';

const BUDGET_USD = 10_000;

const [upstream, dataDir, flag] = process.argv.slice(2);
if (!upstream || !dataDir) throw new Error('usage: gateway.ts <upstream-url> <data-dir> [--trace]');
const trace = flag === '--trace' ? await installTrace() : undefined;

const runtime = await startLocalRuntime({
  dataDir,
  stage: 'bench',
  env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstream}/v1` },
  // Only the bench's upstream is called: no provider simulators and no local chain in the measured process.
  simulateProviders: false,
  chain: false,
});
// Optional so the bench also runs against a runtime from before Compose Keys.
const mint = (runtime as { mintDevKey?: (budgetUsd?: number) => Promise<string> }).mintDevKey;
const authorization = mint ? `Bearer ${await mint.call(runtime, BUDGET_USD)}` : 'Bearer compose-bench-client';
announceReady({ url: runtime.url, authorization, composeKey: mint !== undefined, ...(trace ? { traceUrl: trace.url } : {}) }, async () => {
  trace?.close();
  await runtime.close();
});
