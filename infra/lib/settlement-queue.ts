/**
 * The x402 settlement retry queue (shared/stores/queues.ts `settlements`): a settlement that fails after the
 * model was served is sent here and retried by the settlement worker until it lands; after `maxReceiveCount`
 * failed receives it is parked in the dead-letter queue, never dropped. Senders are bound with `bindSender`,
 * which grants SendMessage and sets SETTLEMENT_QUEUE_URL in one call, like `Storage.bindTable`.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUES, deadLetterQueueName, physicalQueueName } from '../../shared/stores/queues.ts';
import { ComposeFunction } from './family-function.ts';
import type { Storage } from './storage.ts';

const SETTLEMENTS = QUEUES.settlements;

/** The worker settles a batch one message at a time; each is a facilitator round trip that waits for the chain. */
export const SETTLEMENT_WORKER = { memoryMB: 512, timeoutSeconds: 60, batchSize: 10 } as const;

// Lambda refuses an SQS event source whose queue hides a message for less time than the function may run.
if (SETTLEMENTS.visibilityTimeoutSeconds < SETTLEMENT_WORKER.timeoutSeconds) {
  throw new Error('the settlements queue visibility timeout must be at least the settlement worker timeout');
}

export interface SettlementQueueProps {
  /** The shared layer (shared-layer.ts): the worker's bundle imports its packages. */
  readonly sharedLayer: lambda.ILayerVersion;
  readonly stage: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly sourceMaps: boolean;
  /** The worker's nonces table and provider secret come from here. */
  readonly storage: Storage;
  /** The x402 settings (`x402Environment`); empty when x402 is off, and then the worker fails every message. */
  readonly environment: Readonly<Record<string, string>>;
  readonly tracing?: boolean;
  readonly reservedConcurrency?: number;
}

export class SettlementQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly worker: ComposeFunction;

  constructor(scope: Construct, id: string, props: SettlementQueueProps) {
    super(scope, id);

    // A standard queue's messages expire by their first enqueue time, also in the DLQ; so the DLQ keeps them
    // for the longest SQS allows, well past the source queue's default 4 days.
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: deadLetterQueueName(props.stage, 'settlements'),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: physicalQueueName(props.stage, 'settlements'),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(SETTLEMENTS.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: SETTLEMENTS.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });

    this.worker = new ComposeFunction(this, 'Worker', {
      name: 'settlement-worker',
      description: `Compose Inference ${props.stage}: retries x402 settlements from the settlements queue`,
      memoryMB: SETTLEMENT_WORKER.memoryMB,
      timeoutSeconds: SETTLEMENT_WORKER.timeoutSeconds,
      stage: props.stage,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      sourceMaps: props.sourceMaps,
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrency: props.reservedConcurrency } : {}),
      // Its bundle imports the adapters, the bottom tier and the AWS SDK from the shared layer.
      layers: [props.sharedLayer],
      environment: props.environment,
    });
    // Settling marks the payment's nonce spent; the provider secret is where the relayer key belongs, though
    // the code reads it only from the environment today (see payments.ts), so in facilitator mode it goes unused.
    props.storage.bindTable(this.worker.function, 'nonces');
    props.storage.bindProviderSecrets(this.worker.function);

    // Through the `live` alias, so a rollback moves the consumer too.
    this.worker.alias.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: SETTLEMENT_WORKER.batchSize,
        // The handler reports only the messages that failed again; the rest of the batch is deleted.
        reportBatchItemFailures: true,
        // Retries are rare; after a facilitator outage the backlog drains steadily instead of all at once.
        maxConcurrency: 2,
      }),
    );
  }

  /** SendMessage on the queue, and its URL in SETTLEMENT_QUEUE_URL. */
  bindSender(fn: lambda.Function): void {
    this.queue.grant(fn, 'sqs:SendMessage');
    fn.addEnvironment(SETTLEMENTS.envVar, this.queue.queueUrl);
  }
}
