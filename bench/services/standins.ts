/**
 * The local runtime's stand-ins in their own process. Alone (dynalite and s3rver), for scale: the gateway
 * process carries them too, so their RSS is part of the gateway's number but not of a Lambda instance's.
 * With `--all`, also the SQS stand-in (fauxqs) and every provider simulator, and the ready line names their
 * endpoints (`dynamodb`, `s3`, `sqs`) and the provider variables (`providerEnv`): a gateway started with
 * `standins` and that environment then holds only what a Lambda instance holds (the media section).
 *
 * With `--dynamodb-latency-ms=N`, a loopback proxy in front of dynalite holds each request N ms (the round trip a
 * Lambda instance pays to DynamoDB) and counts them: the ready line's `dynamodbDelayed` (the lambda-cpu section).
 *
 * `node bench/services/standins.ts <data-dir> [--all] [--dynamodb-latency-ms=N]` prints a ready line.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { startS3 } from '../../infra/local/standins/s3.ts';
import { startSqs } from '../../infra/local/standins/sqs.ts';
import { startProviderSimulators } from '../../infra/local/simulators/index.ts';
import { announceReady } from '../lib/child.ts';
import { startLatencyProxy } from './latency-proxy.ts';

const [dataDir, ...flags] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: standins.ts <data-dir> [--all] [--dynamodb-latency-ms=N]');
const all = flags.includes('--all');
const latencyFlag = flags.find((f) => f.startsWith('--dynamodb-latency-ms='));
const latencyMs = latencyFlag === undefined ? undefined : Number(latencyFlag.split('=')[1]);
mkdirSync(join(dataDir, 's3'), { recursive: true });
const [dynamo, s3, sqs, simulators] = await Promise.all([
  startDynamo({ path: join(dataDir, 'dynamodb') }),
  startS3({ directory: join(dataDir, 's3'), buckets: ['compose-bench-media'] }),
  all ? startSqs({ stage: 'bench' }) : undefined,
  // No provider keys in this environment: every provider gets its simulator.
  all ? startProviderSimulators({}) : undefined,
]);
const delayed = latencyMs === undefined ? undefined : await startLatencyProxy(dynamo.endpoint, latencyMs);
announceReady(
  {
    url: dynamo.endpoint,
    dynamodb: dynamo.endpoint,
    s3: s3.endpoint,
    ...(sqs ? { sqs: sqs.endpoint } : {}),
    ...(simulators ? { providerEnv: simulators.env } : {}),
    ...(delayed ? { dynamodbDelayed: delayed.endpoint } : {}),
  },
  () => Promise.all([delayed?.close(), dynamo.close(), s3.close(), sqs?.close(), simulators?.close()]).then(() => undefined),
);
