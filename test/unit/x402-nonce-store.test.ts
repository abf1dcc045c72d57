/** The x402 replay guard on real DynamoDB wire protocol (dynalite): one conditional write per state change. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { PaymentRequiredError } from '../../layers/core/errors.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { NonceClaimLostError, createNonceStore, type NonceStore, type NonceSubject } from '../../layers/x402/nonce-store.ts';

let dynamo: DynamoStandIn;
let documents: DynamoDBDocumentClient;
const tableName = physicalTableName('x402test', 'nonces');

beforeAll(async () => {
  dynamo = await startDynamo();
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(client, 'x402test');
  documents = DynamoDBDocumentClient.from(client);
});
afterAll(() => dynamo?.close());

let clock = 1_700_000_000;
const store = (): NonceStore => createNonceStore({ client: documents, tableName, now: () => clock, graceSeconds: 60 });

let counter = 0;
const payment = (validBefore = clock + 300): NonceSubject => ({
  scheme: 'exact',
  network: 'eip155:31337',
  payer: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  nonceKey: `x402/eip155:31337/eip3009/test/${++counter}`,
  validBefore,
});

const refusalCode = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof PaymentRequiredError)) throw new Error(`expected a 402, got ${String(error)}`);
  return error.code;
};

describe('x402 nonce claims', () => {
  it('claims a nonce once and refuses it while in flight', async () => {
    const nonces = store();
    const p = payment();
    const claim = await nonces.claim(p);
    expect((await nonces.get(p.nonceKey))?.state).toBe('in_flight');
    expect(await refusalCode(nonces.claim(p))).toBe('payment_nonce_reused');
    expect((await nonces.get(p.nonceKey))?.claimId).toBe(claim.claimId);
  });

  it('serves exactly one of ten concurrent claims on the same nonce', async () => {
    const nonces = store();
    const p = payment();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => nonces.claim(p)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(9);
    for (const r of refused) expect((r.reason as PaymentRequiredError).code).toBe('payment_nonce_reused');
  });

  it('marks a settled nonce spent, keeps it refused, and ignores a late release', async () => {
    const nonces = store();
    const p = payment();
    const claim = await nonces.claim(p);
    await nonces.markSpent(claim, '0xabc');
    await nonces.release(claim);
    expect(await nonces.get(p.nonceKey)).toMatchObject({ state: 'spent', transaction: '0xabc', settledAt: clock });
    expect(await refusalCode(nonces.claim(p))).toBe('payment_nonce_reused');
  });

  it('gives a released nonce back, so the same signature can be retried after a failure before settlement', async () => {
    const nonces = store();
    const p = payment();
    const first = await nonces.claim(p);
    await nonces.release(first);
    expect((await nonces.get(p.nonceKey))?.state).toBe('released');
    const second = await nonces.claim(p);
    expect(second.claimId).not.toBe(first.claimId);
    // The first request's claim is gone: it can neither spend nor release the new one.
    await expect(nonces.markSpent(first, '0xdead')).rejects.toBeInstanceOf(NonceClaimLostError);
    await nonces.release(first);
    expect((await nonces.get(p.nonceKey))?.claimId).toBe(second.claimId);
  });

  it('treats a record past its TTL as absent, since DynamoDB deletes expired items lazily', async () => {
    const nonces = store();
    const p = payment(clock + 10);
    await nonces.claim(p);
    const saved = clock;
    clock += 10 + 60; // the authorization's validBefore plus the grace period
    try {
      expect(await nonces.get(p.nonceKey)).toBeUndefined();
      expect((await nonces.claim(p)).key).toBe(p.nonceKey);
    } finally {
      clock = saved;
    }
  });

  it('keeps an authorization valid for years guarded for the capped TTL only', async () => {
    const nonces = createNonceStore({ client: documents, tableName, now: () => clock, graceSeconds: 0, maxTtlSeconds: 3600 });
    const p = payment(Number.MAX_SAFE_INTEGER);
    await nonces.claim(p);
    expect((await nonces.get(p.nonceKey))?.expiresAt).toBe(clock + 3600);
  });

  it('lets the next request take over a claim whose call is past its deadline (its request died)', async () => {
    const nonces = store();
    const p = payment(clock + 3600);
    const dead = await nonces.claim(p, clock + 960);
    expect(await refusalCode(nonces.claim(p, clock + 960))).toBe('payment_nonce_reused');
    const saved = clock;
    clock += 961;
    try {
      const next = await nonces.claim(p, clock + 960);
      expect(next.claimId).not.toBe(dead.claimId);
      // The dead request cannot settle or release what is no longer its claim.
      await expect(nonces.markSpent(dead, '0xdead')).rejects.toBeInstanceOf(NonceClaimLostError);
    } finally {
      clock = saved;
    }
  });

  it('never lets a claim whose settlement is owed lapse by its deadline (kept until spent)', async () => {
    const nonces = store();
    const p = payment(clock + 3600);
    const owed = await nonces.claim(p, clock + 960);
    await nonces.keep(owed);
    const saved = clock;
    clock += 961;
    try {
      expect(await refusalCode(nonces.claim(p, clock + 960))).toBe('payment_nonce_reused');
      await nonces.markSpent(owed, '0xpaid', '42');
      expect(await nonces.get(p.nonceKey)).toMatchObject({ state: 'spent', transaction: '0xpaid', amount: '42' });
    } finally {
      clock = saved;
    }
  });
});
