/**
 * What happens to the money of a video that is never delivered (shared/videos/README.md, "Money"), against
 * the DynamoDB stand-in: the key ledger and the job item are real, and so are the conditional writes.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { buildReceipt } from '../../shared/receipts/index.ts';
import { createKeyLedger, type KeyLedger } from '../../shared/keys/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { cancelVideoJob } from '../../shared/videos/cancel.ts';
import { failVideoJob } from '../../shared/videos/failure.ts';
import { newVideoJobId } from '../../shared/videos/ids.ts';
import type { VideoJob } from '../../shared/videos/job.ts';
import { createVideoJobStore, type VideoJobStore } from '../../shared/videos/job-store.ts';
import { createRefunds, type Refunds } from '../../shared/videos/refund.ts';

let dynamo: Awaited<ReturnType<typeof startDynamo>>;
let client: DynamoDBClient;
let ledger: KeyLedger;
let jobs: VideoJobStore;
let refunds: Refunds;
const PRICE = 400_000n;

beforeAll(async () => {
  dynamo = await startDynamo();
  client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(client, 'test');
  const doc = createDocumentClient(client);
  ledger = createKeyLedger({ client: doc, tableName: physicalTableName('test', 'ledgers') });
  jobs = createVideoJobStore({ doc, tableName: physicalTableName('test', 'videos') });
  refunds = createRefunds({ doc, ledgersTable: physicalTableName('test', 'ledgers') });
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.close();
});

let keys = 0;
/** A key that paid for one video at submission, as the route does (reserve, then settle in full), and its job. */
const paidJob = async (method: 'compose_key' | 'x402' = 'compose_key'): Promise<{ keyId: string; job: VideoJob }> => {
  const keyId = `videokey${++keys}`;
  await ledger.create(keyId, { budget: 1_000_000n });
  const reservation = `r${keys}`;
  await ledger.reserve(keyId, PRICE, reservation);
  await ledger.settle(keyId, reservation, PRICE, PRICE);
  const receipt = buildReceipt({
    subject: method === 'compose_key' ? `compose-key:${keyId}` : '0x00000000000000000000000000000000000000aa',
    lineItems: [{ key: 'video_seconds', unit: 'video_seconds', quantity: 4, unit_price_usd: 0.1, amount_wei: PRICE.toString() }],
    providerAmount: PRICE,
    platformFee: 0n,
    finalAmount: PRICE,
    paymentMethod: method,
    ...(method === 'x402' ? { network: 'eip155:84532', txHash: '0xabc' } : {}),
    settled: true,
  });
  const now = Math.floor(Date.now() / 1000);
  const job: VideoJob = {
    id: newVideoJobId(),
    owner: `key:${keyId}`,
    status: 'queued',
    progress: 0,
    createdAt: now,
    expiresAt: now + 3600,
    model: 'sora-2',
    provider: 'openai',
    wireModel: 'sora-2',
    prompt: 'p',
    seconds: 4,
    resolution: '720p',
    aspectRatio: '16:9',
    receipt,
  };
  await jobs.create(job);
  return { keyId, job };
};

const moneyOf = async (keyId: string) => {
  const l = (await ledger.getLedger(keyId))!;
  return { spent: l.spent, available: l.available, reserved: l.reserved };
};

describe('a failed video job', () => {
  it('is refunded to the Compose Key once, however often the failure is recorded', async () => {
    const { keyId, job } = await paidJob();
    expect(await moneyOf(keyId)).toEqual({ spent: PRICE, available: 1_000_000n - PRICE, reserved: 0n });
    const failed = await failVideoJob({ jobs, refunds }, job.id, { code: 'video_generation_failed', message: 'no' });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'video_generation_failed' }, refund: { status: 'refunded', amount_wei: '400000' } });
    // A retried fail task, and a second refund of the same job straight at the ledger: nothing moves again.
    await failVideoJob({ jobs, refunds }, job.id, { code: 'video_generation_failed', message: 'no' });
    expect((await refunds.refund(failed!, 'again')).status).toBe('refunded');
    expect(await moneyOf(keyId)).toEqual({ spent: 0n, available: 1_000_000n, reserved: 0n });
  });

  it('paid with x402 is recorded as not refundable: the on-chain transfer stands', async () => {
    const { job } = await paidJob('x402');
    const failed = await failVideoJob({ jobs, refunds }, job.id, { code: 'video_timeout', message: 'slow' });
    expect(failed?.refund).toMatchObject({ status: 'not_refundable', amount_wei: '0' });
    expect(failed?.refund?.reason).toMatch(/on-chain/);
  });

  it('does not fail (or refund) a job that already completed', async () => {
    const { keyId, job } = await paidJob();
    await jobs.transition(job.id, ['queued'], { status: 'completed', progress: 100 });
    expect(await failVideoJob({ jobs, refunds }, job.id, { code: 'x', message: 'late' })).toMatchObject({ status: 'completed' });
    expect((await moneyOf(keyId)).spent).toBe(PRICE);
  });
});

describe('a cancelled video job', () => {
  it('is refunded when it never reached the provider (still queued)', async () => {
    const { keyId, job } = await paidJob();
    const answer = await cancelVideoJob({ jobs, refunds, workflow: undefined }, job.id, job.owner);
    expect(answer).toMatchObject({ object: 'response', status: 'cancelled', video: { status: 'cancelled', refund: { status: 'refunded' } } });
    expect(await moneyOf(keyId)).toEqual({ spent: 0n, available: 1_000_000n, reserved: 0n });
  });

  it('keeps the charge once the provider had it, and is only visible to its owner', async () => {
    const { keyId, job } = await paidJob();
    await jobs.transition(job.id, ['queued'], { status: 'in_progress', providerJobId: 'video_p', deadlineAt: Date.now() + 60_000 });
    const stops: string[] = [];
    const workflow = { start: async () => undefined, stop: async (id: string) => void stops.push(id) };
    await expect(cancelVideoJob({ jobs, refunds, workflow }, job.id, 'key:someone-else')).rejects.toMatchObject({ status: 404, code: 'video_not_found' });
    const answer = await cancelVideoJob({ jobs, refunds, workflow }, job.id, job.owner);
    expect(answer.video.refund).toMatchObject({ status: 'not_refundable' });
    expect(stops).toEqual([job.id]);
    expect((await moneyOf(keyId)).spent).toBe(PRICE);
  });
});
