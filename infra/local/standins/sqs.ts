import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { QUEUES, deadLetterQueueName, physicalQueueName, type QueueName } from '../../../shared/stores/queues.ts';

export interface SqsStandIn {
  readonly endpoint: string;
  /** Queue URLs by logical name, for the handlers' environment. */
  readonly queueUrls: Readonly<Record<QueueName, string>>;
  close(): Promise<void>;
}

/**
 * SQS through fauxqs, bound to loopback: the real wire protocol. The queues and their dead-letter queues are
 * created through the SQS API itself, from the same definitions the CDK stack uses.
 */
export const startSqs = async (options: { stage: string }): Promise<SqsStandIn> => {
  const app = buildApp({ logger: false, host: 'localhost' });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { endpoint, queueUrls: await ensureQueues(endpoint, options.stage), close: () => app.close() };
};

/** An SQS stand-in already running (another process): the queues are created there if missing, and nothing is stopped on close. */
export const connectSqs = async (options: { endpoint: string; stage: string }): Promise<SqsStandIn> => ({
  endpoint: options.endpoint,
  queueUrls: await ensureQueues(options.endpoint, options.stage),
  close: async () => undefined,
});

/** Creates each queue and its DLQ; CreateQueue with the same attributes answers the existing queue, so this is idempotent. */
const ensureQueues = async (endpoint: string, stage: string): Promise<Record<QueueName, string>> => {
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
  const queueUrls = {} as Record<QueueName, string>;
  for (const queue of Object.keys(QUEUES) as QueueName[]) {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: deadLetterQueueName(stage, queue) }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: physicalQueueName(stage, queue),
        Attributes: {
          VisibilityTimeout: String(QUEUES[queue].visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: QUEUES[queue].maxReceiveCount }),
        },
      }),
    );
    queueUrls[queue] = created.QueueUrl!;
  }
  sqs.destroy();
  return queueUrls;
};
