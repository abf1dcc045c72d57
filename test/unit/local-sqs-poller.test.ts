/**
 * The local runtime's SQS poller (Lambda's event source mapping on loopback), against the fauxqs stand-in: it
 * long-polls as long as SQS allows, so an idle poller costs the gateway's process one request per 20 s rather
 * than one a second, and that wait delays neither a delivery nor a stop.
 */
import { ReceiveMessageCommand, SendMessageCommand, SQSClient, type ReceiveMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LONG_POLL_SECONDS, startSqsPoller } from '../../infra/local/sqs-poller.ts';
import { startSqs, type SqsStandIn } from '../../infra/local/standins/sqs.ts';

let sqsStandIn: SqsStandIn;
let client: SQSClient;

beforeAll(async () => {
  sqsStandIn = await startSqs({ stage: 'poller-test' });
  client = new SQSClient({ endpoint: sqsStandIn.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, useQueueUrlAsEndpoint: false });
});

afterAll(async () => {
  client.destroy();
  await sqsStandIn.close();
});

/** The real client, its receives recorded on the way through. */
const recordingReceives = (): { sqs: SQSClient; receives: ReceiveMessageCommandInput[] } => {
  const receives: ReceiveMessageCommandInput[] = [];
  const sqs = Object.create(client) as SQSClient;
  sqs.send = ((command: { input: unknown }, options?: unknown) => {
    if (command instanceof ReceiveMessageCommand) receives.push(command.input);
    return (client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
  }) as SQSClient['send'];
  return { sqs, receives };
};

describe('the local SQS poller', () => {
  it('waits for messages as long as SQS allows, and hands one over as soon as it is sent', async () => {
    const queueUrl = sqsStandIn.queueUrls.settlements;
    const { sqs, receives } = recordingReceives();
    const delivered: string[] = [];
    const poller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn: 'arn:aws:sqs:us-east-1:000000000000:settlements',
      handler: async (event: SQSEvent) => {
        delivered.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
    });
    try {
      await vi.waitFor(() => expect(receives.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'settle me' }));
      // Well within one long poll: the waiting receive answers when the message arrives, not when its wait ends.
      await vi.waitFor(() => expect(delivered).toEqual(['settle me']), { timeout: 10_000, interval: 20 });
      expect(LONG_POLL_SECONDS).toBe(20);
      expect(receives.every((r) => r.WaitTimeSeconds === LONG_POLL_SECONDS)).toBe(true);
    } finally {
      await poller.stop();
    }
  }, 15_000);

  it('stops at once while a receive is waiting', async () => {
    const { sqs, receives } = recordingReceives();
    const poller = startSqsPoller({ sqs, queueUrl: sqsStandIn.queueUrls.settlements, queueArn: 'arn:aws:sqs:us-east-1:000000000000:settlements', handler: async () => ({ batchItemFailures: [] }) });
    await vi.waitFor(() => expect(receives.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    // The test's own timeout (well under the 20 s wait) is what would catch a stop that waits the poll out.
    await poller.stop();
    expect(receives).toHaveLength(1);
  }, 10_000);
});
