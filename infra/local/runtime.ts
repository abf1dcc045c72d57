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
import { createSqsClient } from '../../shared/stores/clients.ts';
import { QUEUES, type QueueName } from '../../shared/stores/queues.ts';
import { startProviderSimulators } from './simulators/index.ts';
import { KEY_ENV, ensureDevSigningKey, mintKey, publicJwks } from '../../shared/keys/index.ts';
import { parseUsd } from '../../shared/pricing/index.ts';
import { X402_ENV } from '../../shared/billing/x402-from-env.ts';
import { startLocalChain, type LocalChain } from './chain/index.ts';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startLocalVideoPipeline, type LocalVideoPipeline, type LocalVideoPipelineOptions } from './video/index.ts';

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
   * Stand-ins already running elsewhere (another process: the bench measures the gateway without them, as a
   * Lambda instance is): their endpoints are used instead of starting embedded ones. Tables, the bucket and the
   * queues are created there when missing. Default: the runtime starts its own.
   */
  readonly standins?: LocalStandIns;
}

/** Endpoints of running stand-ins: dynalite, s3rver (with the runtime's access key registered), fauxqs. */
export interface LocalStandIns {
  readonly dynamodb: string;
  readonly s3: string;
  readonly sqs: string;
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
  /** Mints a Compose Key signed by the runtime's local signing key (budget in USD). */
  mintDevKey(budgetUsd?: number, options?: { models?: string[] }): Promise<string>;
  close(): Promise<void>;
}

const handlerModule = (family: Family): string => new URL(`../../functions/${family}/handler.ts`, import.meta.url).href;

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
  const external = options.standins;
  const [dynamo, s3, sqs] = await Promise.all([
    external ? { endpoint: external.dynamodb, close: async () => undefined } : startDynamo({ path: join(options.dataDir, 'dynamodb') }).then(track),
    external ? connectS3({ endpoint: external.s3, buckets: [bucket] }) : startS3({ directory: join(options.dataDir, 's3'), buckets: [bucket] }).then(track),
    external ? connectSqs({ endpoint: external.sqs, stage }) : startSqs({ stage }).then(track),
  ]);

  const simulators = track(options.simulateProviders === false ? undefined : await startProviderSimulators({ ...process.env, ...options.env }));
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
  });

  return {
    url,
    env,
    simulated: [...(simulators?.banner ?? []), ...(videos?.banner ?? [])],
    chain,
    videos,
    mintDevKey: async (budgetUsd = 10, keyOptions = {}) =>
      (await mintKey({ signingKey, budget: parseUsd(budgetUsd.toFixed(6)), ...(keyOptions.models ? { models: keyOptions.models } : {}) })).token,
    close: async () => {
      removeLocalEndpoints(options.dataDir, url);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await consumers.stop();
      await videos?.close();
      videoSqs.destroy();
      await Promise.all([dynamo.close(), s3.close(), sqs.close(), simulators?.close(), chain?.close()]);
    },
  };
};
