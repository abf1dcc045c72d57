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
 */
import type { AddressInfo } from 'node:net';
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
installLambdaResolutionFor(bundle);
const { handler } = (await import(bundle)) as { handler: LambdaHandler };
const elsewhere: LambdaHandler = () => {
  throw new Error(`this process serves only the ${family} function`);
};
const handlers = Object.fromEntries((Object.keys(FAMILIES) as Family[]).map((name) => [name, name === family ? handler : elsewhere])) as FamilyHandlers;
const server = createLocalServer(handlers, { stage: 'bench' });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
announceReady({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, family }, () => new Promise<void>((resolve) => server.close(() => resolve())));
