/**
 * `npm start`: the whole API on http://127.0.0.1:3000. The stand-ins and provider simulators run in a child
 * process of their own (stopped with this one), so the gateway's event loop does only what a Lambda's would;
 * COMPOSE_STANDINS=embedded keeps them in this process.
 */
import { join } from 'node:path';
import { describeLocalChain } from './chain/banner.ts';
import { endpointsFile } from './endpoints.ts';
import { startLocalRuntime } from './runtime.ts';

const root = join(import.meta.dirname, '..', '..');
const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.COMPOSE_DATA_DIR ?? join(root, '.data');

const standins = process.env.COMPOSE_STANDINS === 'embedded' ? 'embedded' : 'process';
const runtime = await startLocalRuntime({ port, dataDir, standins });

const devKey = await runtime.mintDevKey(25);

const banner = [
  '',
  `Compose Inference is running on ${runtime.url}`,
  `  data:       ${dataDir} (DynamoDB via dynalite, S3 via s3rver, SQS via fauxqs, Step Functions via aws-local-stepfunctions)`,
  runtime.standInsPid === undefined
    ? '  stand-ins:  in this process (COMPOSE_STANDINS=embedded)'
    : `  stand-ins:  dynalite, s3rver, fauxqs and the provider simulators in process ${runtime.standInsPid}, stopped with this one`,
  `  endpoints:  ${endpointsFile(dataDir)} (npm run keys -- show|revoke finds this runtime's ledger through it)`,
  '',
  'Providers without a key are served by loopback simulators:',
  ...runtime.simulated.map((line) => `  ${line}`),
  '',
  'x402 payments settle on a local chain:',
  ...(runtime.chain ? describeLocalChain(runtime.chain) : []),
  '',
  'A dev Compose Key with a $25 budget (npm run keys -- create mints more):',
  `  export COMPOSE_KEY=${devKey}`,
  '',
  'Try:',
  `  curl -s ${runtime.url}/health`,
  `  curl -s '${runtime.url}/v1/models?limit=5'`,
  `  curl -s ${runtime.url}/v1/models/search -H 'content-type: application/json' -d '{"modality":"image","limit":5}'`,
  `  curl -sN ${runtime.url}/v1/chat/completions -H "authorization: Bearer $COMPOSE_KEY" -H 'content-type: application/json' -d '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Say hello"}]}'`,
  '',
  'Ctrl-C stops it.',
  '',
];
console.log(banner.join('\n'));

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: shutting down...`);
  await runtime.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
