/**
 * Attack (or just SQS being SQS): a settlement message is delivered again after it already landed. The retry
 * must recognise the transfer on chain and acknowledge it, for both schemes; before, an `upto` retry reverted
 * on Permit2's used nonce twenty times and the message went to the DLQ, which must hold only real failures.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBase64Json } from '../../layers/x402/codec.ts';
import type { AuthorizedPayment } from '../../layers/x402/gate.ts';
import { serializePending } from '../../shared/billing/settlement-queue.ts';
import { x402PaymentsFromEnv } from '../../shared/billing/x402-from-env.ts';
import { CHAT, balanceOf, challengeFor, officialPayer, startPaymentsRuntime, type PaymentsRuntime, type Scheme } from '../support/payments.ts';

let gw: PaymentsRuntime;
let dynamo: DynamoDBClient;
let payments: NonNullable<ReturnType<typeof x402PaymentsFromEnv>>;
let handler: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  gw = await startPaymentsRuntime();
  dynamo = new DynamoDBClient({ endpoint: gw.env.AWS_ENDPOINT_URL_DYNAMODB!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  payments = x402PaymentsFromEnv(gw.env, DynamoDBDocumentClient.from(dynamo))!;
  // The deployed worker, configured from the runtime's environment like every handler.
  ({ handler } = (await import('../../functions/settlement-worker/handler.ts')) as unknown as { handler: typeof handler });
});
afterAll(async () => {
  dynamo?.destroy();
  await gw?.close();
});

let sequence = 0;
const message = (body: string): SQSRecord => ({ messageId: `dup-${++sequence}`, body }) as SQSRecord;

/** A payment authorized by the gateway's own gate, as a paid route holds it before settlement. */
const authorized = async (scheme: Scheme, wallet: number): Promise<AuthorizedPayment> => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Settle twice (${scheme})` }], max_tokens: 32 });
  const challenge = await challengeFor(gw, CHAT, body);
  const header = encodeBase64Json(await officialPayer(gw.chain, wallet, scheme).sign({ ...challenge, accepts: challenge.accepts.filter((o) => o.scheme === scheme) }));
  return payments.gate.authorize({ header, offers: challenge.accepts });
};

describe.each([
  ['exact', 1],
  ['upto', 2],
] as const)('a duplicate delivery of a settled %s payment', (scheme, wallet) => {
  it('is acknowledged by the worker (not retried into the DLQ), and the money moves once', async () => {
    const payment = await authorized(scheme, wallet);
    const amount = scheme === 'exact' ? payment.authorizedAmount : 7n;
    const body = serializePending({ payment, amount });
    const merchantBefore = await balanceOf(gw.chain, gw.chain.merchant.address);

    const first = await handler({ Records: [message(body)] });
    expect(first.batchItemFailures).toEqual([]);
    const again = await handler({ Records: [message(body), message(body)] });
    expect(again.batchItemFailures).toEqual([]);

    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(amount);
  });

  it('whose first settlement landed but was never recorded (a lost receipt) is recognised on chain', async () => {
    const payment = await authorized(scheme, wallet);
    const amount = scheme === 'exact' ? payment.authorizedAmount : 9n;
    const options = scheme === 'exact' ? {} : { amount };
    const merchantBefore = await balanceOf(gw.chain, gw.chain.merchant.address);
    // The settlement itself, bypassing the gate's bookkeeping: the nonce is never marked spent.
    const landed = await payments.settlement.settle(payment, options);
    expect(landed).toMatchObject({ success: true, amount: amount.toString() });

    const retried = await payments.settlement.settle(payment, options);
    expect(retried).toMatchObject({ success: true, transaction: landed.transaction, amount: amount.toString() });
    const worker = await handler({ Records: [message(serializePending({ payment, amount }))] });
    expect(worker.batchItemFailures).toEqual([]);
    expect((await balanceOf(gw.chain, gw.chain.merchant.address)) - merchantBefore).toBe(amount);
  });
});
