import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FAMILIES, type Family } from '../../shared/routes.ts';
import { MEDIA_BUCKET_ENV, TABLES, physicalTableName, type TableName } from '../../layers/core/tables.ts';
import { removeLocalEndpoints, writeLocalEndpoints } from './endpoints.ts';
import { installLambdaGlobals } from './lambda-runtime.ts';
import { createLocalServer, type FamilyHandlers, type LambdaHandler } from './server.ts';
import { ensureTables, startDynamo } from './standins/dynamodb.ts';
import { connectS3, startS3 } from './standins/s3.ts';
import { connectSqs, startSqs } from './standins/sqs.ts';
import { startSqsPoller, type SqsHandler } from './sqs-poller.ts';
import { createSqsClient } from '../../shared/stores/sqs-client.ts';
import { QUEUES, type QueueName } from '../../shared/stores/queues.ts';
import { startProviderSimulators } from './simulators/index.ts';
import { KEY_ENV, ensureDevSigningKey, mintKey, publicJwks } from '../../shared/keys/index.ts';
import { parseUsd } from '../../shared/pricing/index.ts';
import { X402_ENV } from '../../shared/billing/x402-from-env.ts';
import { startLocalChain, type LocalChain } from './chain/index.ts';
import { chainEndpoints } from './chain/connect.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalVideoPipeline, type LocalVideoPipeline, type LocalVideoPipelineOptions } from './video/index.ts';
import { startStandInsProcess, type LocalStandIns } from './standins/process.ts';

export type { LocalStandIns } from './standins/process.ts';

/** x402 takes payments on the local chain: its test USDC, paid to its merchant, settled by its relayer. */
const x402Env = (chain: LocalChain): Record<string, string> => ({
  [X402_ENV.payTo]: chain.merchant.address,
  [X402_ENV.networks]: JSON.stringify([{ ...chain.networkConfig, rpcUrl: chain.rpcUrl }]),
  [X402_ENV.defaultNetwork]: chain.network,
  [X402_ENV.relayerKey]: chain.relayer.privateKey,
});

export interface LocalRuntimeOptions {
  readonly port?: number;
  readonly host?: string;
  /** Where the stand-ins keep their data across restarts. */
  readonly dataDir: string;
  readonly stage?: string;
  /** Extra environment for the handlers (provider base URLs, chain settings...), applied before they load. */
  readonly env?: Readonly<Record<string, string>>;
  /** Start a loopback simulator for every provider that has no key (default true). */
  readonly simulateProviders?: boolean;
  /** Start anvil with the test USDC and take x402 payments on it (default true). */
  readonly chain?: boolean;
  /** The video pipeline (queue, state machine, worker, video simulator): on by default, `false` for tests without videos. */
  readonly videos?: false | Pick<LocalVideoPipelineOptions, 'waitMs' | 'retryMs' | 'simulator' | 'retryDelaySeconds'>;
  /**
   * Where the stand-ins (dynalite, s3rver, fauxqs, and the provider simulators) run:
   * - `'embedded'` (default): in this process, on its event loop;
   * - `'process'`: in a child process the runtime starts and stops (`npm start`), so their CPU is not part of
   *   every call's latency here; the simulators move there too;
   * - endpoints of stand-ins already running elsewhere (the bench's own process): used as they are, and left
   *   running on close.
   * Tables, the bucket and the queues are created wherever they run, when missing.
   */
  readonly standins?: 'embedded' | 'process' | LocalStandIns;
}

export interface LocalRuntime {
  readonly url: string;
  readonly env: Readonly<Record<string, string>>;
  /** What is simulated, for the start-up banner. */
  readonly simulated: readonly string[];
  /** The local chain x402 settles on, when started. */
  readonly chain: LocalChain | undefined;
  /** The video pipeline, when started. */
  readonly videos: LocalVideoPipeline | undefined;
  /** The stand-ins' process, with `standins: 'process'`. */
  readonly standInsPid: number | undefined;
  /** Mints a Compose Key signed by the runtime's local signing key (budget in USD). */
  mintDevKey(budgetUsd?: number, options?: { models?: string[] }): Promise<string>;
  close(): Promise<void>;
}

const handlerModule = (family: Family): string => new URL(`../../functions/${family}/handler.ts`, import.meta.url).href;

/** The handlers' key ledger is one module instance per process (functions/shared-services.ts), loaded with them. */
const closeKeyLedger = async (): Promise<void> => {
  const { keyLedger } = await import('../../functions/shared-services.ts');
  await keyLedger.close();
};

/** Which function consumes each queue, as the CDK stack's event source mappings say. */
const QUEUE_CONSUMERS: Readonly<Record<QueueName, string>> = { settlements: 'settlement-worker' };

const startQueueConsumers = async (queueUrls: Readonly<Record<QueueName, string>>) => {
  const sqsClient = createSqsClient();
  const pollers = await Promise.all(
    (Object.keys(QUEUE_CONSUMERS) as QueueName[]).map(async (queue) => {
      const { handler } = (await import(new URL(`../../functions/${QUEUE_CONSUMERS[queue]}/handler.ts`, import.meta.url).href)) as { handler: SqsHandler };
      return startSqsPoller({ sqs: sqsClient, queueUrl: queueUrls[queue], queueArn: `arn:aws:sqs:us-east-1:000000000000:${queue}`, handler });
    }),
  );
  return {
    stop: async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      sqsClient.destroy();
    },
  };
};

/**
 * Starts the whole API as it runs in the cloud: the stand-ins, then the real handlers, behind a server that does
 * API Gateway's work. The handlers reach the stand-ins only through the AWS SDK's endpoint settings.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  // A start that fails half-way stops what it already started, instead of leaving processes (anvil) behind.
  const started: (() => Promise<unknown>)[] = [];
  try {
    return await startRuntime(options, <T extends { close(): Promise<unknown> } | undefined>(piece: T): T => {
      if (piece) started.push(() => piece.close());
      return piece;
    });
  } catch (error) {
    await Promise.allSettled(started.reverse().map((close) => close()));
    throw error;
  }
};

const startRuntime = async (options: LocalRuntimeOptions, track: <T extends { close(): Promise<unknown> } | undefined>(piece: T) => T): Promise<LocalRuntime> => {
  const stage = options.stage ?? 'local';
  mkdirSync(join(options.dataDir, 's3'), { recursive: true });
  const bucket = `compose-${stage}-media`;
  const standInsProcess =
    options.standins === 'process'
      ? track(
          await startStandInsProcess(
            { dataDir: options.dataDir, stage, buckets: [bucket], simulateProviders: options.simulateProviders !== false },
            { env: { ...process.env, ...options.env } },
          ),
        )
      : undefined;
  const external = standInsProcess?.standins ?? (typeof options.standins === 'object' ? options.standins : undefined);
  const [dynamo, s3, sqs] = await Promise.all([
    external ? { endpoint: external.dynamodb, close: async () => undefined } : startDynamo({ path: join(options.dataDir, 'dynamodb') }).then(track),
    external ? connectS3({ endpoint: external.s3, buckets: [bucket] }) : startS3({ directory: join(options.dataDir, 's3'), buckets: [bucket] }).then(track),
    external ? connectSqs({ endpoint: external.sqs, stage }) : startSqs({ stage }).then(track),
  ]);

  const embeddedSimulators = track(
    options.simulateProviders === false || standInsProcess ? undefined : await startProviderSimulators({ ...process.env, ...options.env }),
  );
  const simulators = standInsProcess?.simulators ?? embeddedSimulators;
  const signingKey = await ensureDevSigningKey(options.dataDir);
  const chain = track(options.chain === false ? undefined : await startLocalChain({ dataDir: join(options.dataDir, 'chain') }));
  // Its own client, pointed at the stand-in: the handlers' environment is not in place yet.
  const videoSqs = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  const videos = track(
    options.videos === false ? undefined : await startLocalVideoPipeline({ stage, sqs: videoSqs, env: { ...process.env, ...options.env }, ...options.videos }),
  );
  const env: Record<string, string> = {
    ...simulators?.env,
    ...videos?.env,
    [KEY_ENV.jwks]: JSON.stringify(publicJwks(options.dataDir)),
    ...(chain ? x402Env(chain) : {}),
    STAGE: stage,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    ...Object.fromEntries((Object.keys(QUEUES) as QueueName[]).map((q) => [QUEUES[q].envVar, sqs.queueUrls[q]])),
    [MEDIA_BUCKET_ENV]: bucket,
    ...Object.fromEntries((Object.keys(TABLES) as TableName[]).map((t) => [TABLES[t].envVar, physicalTableName(stage, t)])),
    ...options.env,
  };
  Object.assign(process.env, env);

  const dynamoClient = new DynamoDBClient({ endpoint: dynamo.endpoint });
  await ensureTables(dynamoClient, stage);
  dynamoClient.destroy();

  installLambdaGlobals();
  const families = Object.keys(FAMILIES) as Family[];
  const modules = await Promise.all(families.map((f) => import(handlerModule(f)) as Promise<{ handler: LambdaHandler }>));
  const handlers = Object.fromEntries(families.map((f, i) => [f, modules[i]!.handler])) as FamilyHandlers;

  const consumers = await startQueueConsumers(sqs.queueUrls);
  track({ close: () => consumers.stop() });
  await videos?.start();

  const server = createLocalServer(handlers, { stage });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  writeLocalEndpoints(options.dataDir, {
    url,
    stage,
    pid: process.pid,
    dynamodb: dynamo.endpoint,
    s3: s3.endpoint,
    sqs: sqs.endpoint,
    tables: Object.fromEntries((Object.keys(TABLES) as TableName[]).map((t) => [t, physicalTableName(stage, t)])),
    ...(chain ? { chain: chainEndpoints(chain) } : {}),
    ...(simulators ? { simulated: simulators.env } : {}),
  });

  return {
    url,
    env,
    simulated: [...(simulators?.banner ?? []), ...(videos?.banner ?? [])],
    chain,
    videos,
    standInsPid: standInsProcess?.pid,
    mintDevKey: async (budgetUsd = 10, keyOptions = {}) =>
      (await mintKey({ signingKey, budget: parseUsd(budgetUsd.toFixed(6)), ...(keyOptions.models ? { models: keyOptions.models } : {}) })).token,
    close: async () => {
      removeLocalEndpoints(options.dataDir, url);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await consumers.stop();
      // No call is in flight any more: the handlers' open budget leases go back to their keys now, while DynamoDB
      // is still up, instead of holding budget until their deadline (up to 17 minutes into the next start).
      await closeKeyLedger();
      await videos?.close();
      videoSqs.destroy();
      await Promise.all([dynamo.close(), s3.close(), sqs.close(), embeddedSimulators?.close(), chain?.close()]);
      await standInsProcess?.close();
    },
  };
};
