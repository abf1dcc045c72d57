/**
 * The stand-ins' own process (`startStandInsProcess` forks it): dynalite, s3rver, fauxqs and, when asked, the
 * provider simulators, so their CPU is not taken from the gateway's event loop. It announces its endpoints over
 * the IPC channel and stops when told (SIGTERM) or when its parent goes away (the channel disconnects), so a
 * killed `npm start` leaves nothing behind. SIGINT is ignored: Ctrl-C reaches the whole process group, and the
 * parent, which may still be settling calls against DynamoDB, decides when the stand-ins stop.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProviderSimulators, type ProviderSimulators } from '../simulators/index.ts';
import { startDynamo } from './dynamodb.ts';
import { startS3 } from './s3.ts';
import { startSqs } from './sqs.ts';
import type { StandInsReady, StandInsRequest } from './process.ts';

const request = JSON.parse(process.env['COMPOSE_STANDINS_REQUEST'] ?? '') as StandInsRequest;
if (!process.send) throw new Error('the stand-ins process is started by startStandInsProcess (infra/local/standins/process.ts), with an IPC channel');

process.on('SIGINT', () => undefined);

mkdirSync(join(request.dataDir, 's3'), { recursive: true });
const [dynamo, s3, sqs, simulators] = await Promise.all([
  startDynamo({ path: join(request.dataDir, 'dynamodb') }),
  startS3({ directory: join(request.dataDir, 's3'), buckets: [...request.buckets] }),
  startSqs({ stage: request.stage }),
  // This process's environment is the runtime's: providers with a key there get no simulator.
  request.simulateProviders ? startProviderSimulators(process.env) : undefined,
]);

const SHUTDOWN_GRACE_MS = 5_000;
let closing: Promise<void> | undefined;
const shutdown = (): Promise<void> =>
  (closing ??= (async () => {
    // A stand-in holding a keep-alive connection open must not keep the process alive past its parent's wait.
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    const results = await Promise.allSettled([dynamo.close(), s3.close(), sqs.close(), (simulators as ProviderSimulators | undefined)?.close()]);
    for (const result of results) if (result.status === 'rejected') console.error(JSON.stringify({ level: 'warn', message: 'stand-in did not close cleanly', reason: String(result.reason) }));
    process.exit(0);
  })());
process.once('SIGTERM', () => void shutdown());
process.once('disconnect', () => void shutdown());

const ready: StandInsReady = {
  ready: true,
  standins: { dynamodb: dynamo.endpoint, s3: s3.endpoint, sqs: sqs.endpoint },
  ...(simulators ? { simulators: { env: simulators.env, banner: simulators.banner } } : {}),
};
process.send(ready);
