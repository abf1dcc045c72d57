/**
 * SQS queue definitions, shared by the CDK stack and the local runtime (fauxqs) so both create the same queues.
 * Each has a dead-letter queue: a message that keeps failing is parked there, never dropped.
 */
export const QUEUES = {
  /** x402 settlements that failed after the model was served, retried until they land. */
  settlements: { envVar: 'SETTLEMENT_QUEUE_URL', visibilityTimeoutSeconds: 120, maxReceiveCount: 20 },
} as const;

export type QueueName = keyof typeof QUEUES;

export const physicalQueueName = (stage: string, queue: QueueName): string => `compose-${stage}-${queue}`;
export const deadLetterQueueName = (stage: string, queue: QueueName): string => `${physicalQueueName(stage, queue)}-dlq`;

export const queueUrlFromEnv = (queue: QueueName, env: NodeJS.ProcessEnv = process.env): string => {
  const url = env[QUEUES[queue].envVar];
  if (!url) throw new Error(`${QUEUES[queue].envVar} is not set`);
  return url;
};
