import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * How long one receive waits for a message: the most SQS allows, as Lambda's event source mapping polls. A
 * waiting receive answers as soon as a message arrives (or a failed one becomes visible again), so a longer wait
 * costs no delivery latency; it only spares the idle poller a signed request, a response to parse and a turn of
 * the gateway's event loop every second while calls run beside it.
 */
export const LONG_POLL_SECONDS = 20;

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface PollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly handler: SqsHandler;
  readonly batchSize?: number;
  /** Delay before a failed message is seen again (Lambda leaves it to the queue's visibility timeout). */
  readonly retryDelaySeconds?: number;
}

/**
 * What Lambda's SQS event source mapping does: long-poll, hand batches to the handler as SQS events, delete
 * what succeeded, leave partial-batch failures for redelivery (and, past maxReceiveCount, the DLQ).
 */
export const startSqsPoller = (options: PollerOptions): { stop(): Promise<void> } => {
  let running = true;
  const abort = new AbortController();
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: options.queueUrl, MaxNumberOfMessages: options.batchSize ?? 10, WaitTimeSeconds: LONG_POLL_SECONDS, AttributeNames: ['All'], MessageAttributeNames: ['All'] }),
          { abortSignal: abort.signal },
        );
        if (Messages.length === 0) continue;
        const event: SQSEvent = {
          Records: Messages.map((m) => ({
            messageId: m.MessageId!,
            receiptHandle: m.ReceiptHandle!,
            body: m.Body ?? '',
            attributes: (m.Attributes ?? {}) as SQSEvent['Records'][number]['attributes'],
            // As Lambda hands them over: camel-cased value fields.
            messageAttributes: Object.fromEntries(
              Object.entries(m.MessageAttributes ?? {}).map(([name, a]) => [name, { dataType: a.DataType ?? 'String', ...(a.StringValue !== undefined ? { stringValue: a.StringValue } : {}) }]),
            ),
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: options.queueArn,
            awsRegion: 'us-east-1',
          })),
        };
        const result = await options.handler(event, { awsRequestId: crypto.randomUUID(), getRemainingTimeInMillis: () => 60_000 } as Context).catch(() => ({
          batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
        }));
        const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId!));
        if (done.length) {
          await options.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
        }
        for (const m of Messages.filter((m) => failed.has(m.MessageId!))) {
          await options.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: options.queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: options.retryDelaySeconds ?? 2 }));
        }
      } catch {
        if (running) await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      abort.abort();
      await loop;
    },
  };
};
