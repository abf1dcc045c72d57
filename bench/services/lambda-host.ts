/**
 * One function's Lambda bundle (built by esbuild as the CDK deploys it) behind the local API Gateway emulation,
 * alone in its process: what a Lambda instance holds (its bundle, Node, and here the emulation's few modules),
 * without the local runtime's other families, stand-ins, simulators or TypeScript loader. Requests for another
 * family's routes answer 502, as an unreachable integration would.
 *
 * This script is itself bundled to plain JavaScript before it runs (bench/bundles/build.ts `buildScript`), so
 * the process loads no TypeScript. `node lambda-host.mjs <family> <bundle.mjs>`, with the function's
 * environment in BENCH_LAMBDA_ENV (JSON); prints a ready line. The bundle's imports of the shared layer resolve
 * as Lambda resolves them (bench/bundles/lambda-resolve.ts): from NODE_PATH when BENCH_LAMBDA_ENV sets it, else
 * from the layer bench/bundles/build.ts builds beside the bundle (`<outDir>/opt`).
 *
 * The ready line also carries the bundle's module init (`initMs`, `initCpuMs`: wall and process CPU time of its
 * import) and `statsUrl`, a second loopback server outside the emulation: `GET` answers this process's
 * `process.cpuUsage()` and memory, so a section reads the function's CPU per call at microsecond resolution.
 * `node lambda-host.mjs <family> --noop` serves a handler that does nothing: the host's own cost per call.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime.ts';
import { createLocalServer, type FamilyHandlers, type LambdaHandler } from '../../infra/local/server.ts';
import { FAMILIES, type Family } from '../../shared/routes.ts';
import { announceReady } from '../lib/child.ts';
import { installLambdaResolutionFor } from '../bundles/lambda-resolve.ts';

const [family, bundle] = process.argv.slice(2) as [Family | undefined, string | undefined];
if (!family || !bundle || !(family in FAMILIES)) throw new Error('usage: lambda-host.mjs <family> <bundle.mjs>');
Object.assign(process.env, JSON.parse(process.env['BENCH_LAMBDA_ENV'] || '{}') as Record<string, string>);

installLambdaGlobals();
// Its imports of the shared layer and the AWS SDK resolve as in Lambda: NODE_PATH, or the layer built beside it.
if (bundle !== '--noop') installLambdaResolutionFor(bundle);
const initStart = performance.now();
const initCpu = process.cpuUsage();
/** `--noop`: a streaming handler (as the families are) that answers a small JSON body at once: what the host costs per call. */
interface StreamingGlobals {
  streamifyResponse(handler: (event: unknown, stream: Writable) => Promise<void>): LambdaHandler;
  HttpResponseStream: { from(stream: Writable, metadata: { statusCode: number; headers: Record<string, string> }): Writable };
}
const lambda = (globalThis as unknown as { awslambda: StreamingGlobals }).awslambda;
const NOOP = lambda.streamifyResponse(async (_event, stream) => {
  lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: { 'content-type': 'application/json' } }).end('{"ok":true}');
});
const { handler: imported } = bundle === '--noop' ? { handler: NOOP } : ((await import(bundle)) as { handler: LambdaHandler });
const initMs = performance.now() - initStart;
const initUsage = process.cpuUsage(initCpu);
/**
 * Lambda sets _X_AMZN_TRACE_ID for every invocation of a function with active tracing; without it the X-Ray SDK
 * logs a "missing trace data" error per call, a cost no deployed function pays. Unsampled, as most calls are
 * under X-Ray's default rule (the first request each second and 5% of the rest).
 */
let invocations = 0;
const handler: LambdaHandler = Object.assign((...args: never[]) => {
  invocations += 1;
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${invocations.toString(16).padStart(24, '0')}`;
  process.env['_X_AMZN_TRACE_ID'] = `Root=${root};Parent=${invocations.toString(16).padStart(16, '0')};Sampled=0`;
  return imported(...args);
}, imported);
const elsewhere: LambdaHandler = () => {
  throw new Error(`this process serves only the ${family} function`);
};
const handlers = Object.fromEntries((Object.keys(FAMILIES) as Family[]).map((name) => [name, name === family ? handler : elsewhere])) as FamilyHandlers;
const server = createLocalServer(handlers, { stage: 'bench' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const stats = createServer((_, res) => {
  const { user, system } = process.cpuUsage();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ cpuUs: user + system, systemUs: system, memory: process.memoryUsage() }));
});
await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
announceReady(
  {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    family,
    statsUrl: `http://127.0.0.1:${(stats.address() as AddressInfo).port}`,
    initMs,
    initCpuMs: (initUsage.user + initUsage.system) / 1000,
  },
  () => {
    stats.close();
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  },
);
