/**
 * The video queue over SQS, for the route that enqueues. Apart from queue.ts (the message and the queue's
 * settings, which the worker reads too) so the worker, which only receives, does not load the SQS client.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { VideoQueue } from './queue.ts';

export const sqsVideoQueue = (sqs: SQSClient, queueUrl: string): VideoQueue => ({
  enqueue: async (message) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
  },
});
