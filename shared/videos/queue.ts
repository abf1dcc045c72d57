/**
 * The submission buffer between the route and the worker. The route only enqueues `{jobId}`: everything else
 * is in the job item, so a redelivered or replayed message can never carry stale instructions.
 */
export interface VideoQueueMessage {
  readonly jobId: string;
}

export interface VideoQueue {
  enqueue(message: VideoQueueMessage): Promise<void>;
}

export const parseQueueMessage = (body: string): VideoQueueMessage | undefined => {
  try {
    const value = JSON.parse(body) as { jobId?: unknown };
    return typeof value.jobId === 'string' ? { jobId: value.jobId } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The queue as the CDK construct and the local runtime both create it. The worker's redrive count is the
 * queue's: on its last delivery the worker fails the job (and refunds it) rather than let a job die silently
 * in the DLQ. The visibility timeout covers one worker invocation.
 */
export const VIDEO_QUEUE = {
  envVar: 'VIDEO_QUEUE_URL',
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 5,
  /** Kept 14 days, the most SQS allows, for an operator to inspect. */
  dlqRetentionSeconds: 14 * 86_400,
} as const;

export const videoQueueName = (stage: string): string => `compose-${stage}-videos`;
export const videoDeadLetterQueueName = (stage: string): string => `compose-${stage}-videos-dlq`;
