/**
 * The settlement retry queue over SQS, for the paid functions that enqueue. Apart from settlement-queue.ts (the
 * message's codec and the queueing policy) so the settlement worker, which only reads messages, does not load
 * the SQS client.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { REQUEST_ID_ATTRIBUTE, serializePending, type SettlementQueue } from './settlement-queue.ts';

export const sqsSettlementQueue = (sqs: SQSClient, queueUrl: string): SettlementQueue => ({
  enqueue: async (pending, context) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: serializePending(pending),
        ...(context ? { MessageAttributes: { [REQUEST_ID_ATTRIBUTE]: { DataType: 'String', StringValue: context.requestId } } } : {}),
      }),
    );
  },
});
