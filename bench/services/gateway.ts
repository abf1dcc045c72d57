/**
 * The gateway under test, in its own process so its RSS is its own: the local runtime as `npm start` runs it
 * (API Gateway emulation and the real Lambda handlers here; dynalite, s3rver and fauxqs in the runtime's
 * stand-ins child process, whose pid the ready line names as `standInsPid`) with the openai provider pointed at the bench's
 * loopback upstream (provider simulators and the x402 chain are off: nothing here calls them). Paid routes need a payer: where the runtime can mint a local Compose Key, the ready line
 * carries one (`authorization`) with a budget far above what a run spends.
 *
 * `node bench/services/gateway.ts <upstream-url> <data-dir> [--trace]` prints its URL as a ready line; with
 * --trace it also logs its DynamoDB/S3/provider calls for the key-path measurement (see trace.ts).
 *
 * BENCH_GATEWAY_OPTIONS (JSON, optional) varies the process for other sections: `env` replaces the provider
 * variables above (e.g. Gemini/Vertex pointed at another loopback upstream), `simulateProviders: true` starts
 * the runtime's provider simulators for every provider left without a key, `standins` points it at stand-ins
 * running in another process (bench/services/standins.ts --all) and `videos: false` leaves the video pipeline
 * out: with both, the process holds what a Lambda instance holds (the media section). The ready line also names
 * the runtime's S3 and DynamoDB endpoints and media bucket.
 */
import { startLocalRuntime, type LocalStandIns } from '../../infra/local/runtime.ts';
import { MEDIA_BUCKET_ENV } from '../../layers/core/tables.ts';
import { announceReady } from '../lib/child.ts';
import { installTrace } from './trace.ts';

const BUDGET_USD = 10_000;

const [upstream, dataDir, flag] = process.argv.slice(2);
if (!upstream || !dataDir) throw new Error('usage: gateway.ts <upstream-url> <data-dir> [--trace]');
const trace = flag === '--trace' ? await installTrace() : undefined;
const options = JSON.parse(process.env['BENCH_GATEWAY_OPTIONS'] || '{}') as {
  env?: Record<string, string>;
  simulateProviders?: boolean;
  standins?: LocalStandIns;
  videos?: false;
};

const runtime = await startLocalRuntime({
  dataDir,
  stage: 'bench',
  env: options.env ?? { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstream}/v1` },
  // By default only the bench's upstream is called: no provider simulators and no local chain in the measured process.
  simulateProviders: options.simulateProviders === true,
  chain: false,
  standins: options.standins ?? 'process',
  ...(options.videos === false ? { videos: false } : {}),
});
// Optional so the bench also runs against a runtime from before Compose Keys.
const mint = (runtime as { mintDevKey?: (budgetUsd?: number) => Promise<string> }).mintDevKey;
const authorization = mint ? `Bearer ${await mint.call(runtime, BUDGET_USD)}` : 'Bearer compose-bench-client';
const s3 = { s3Endpoint: runtime.env['AWS_ENDPOINT_URL_S3'], dynamoEndpoint: runtime.env['AWS_ENDPOINT_URL_DYNAMODB'], mediaBucket: runtime.env[MEDIA_BUCKET_ENV] };
// `env`: what the runtime gives its functions (endpoints, tables, bucket, JWKS, providers), for Lambda bundles run apart.
announceReady({ url: runtime.url, authorization, ...s3, env: runtime.env, composeKey: mint !== undefined, standInsPid: runtime.standInsPid, ...(trace ? { traceUrl: trace.url } : {}) }, async () => {
  trace?.close();
  await runtime.close();
});
