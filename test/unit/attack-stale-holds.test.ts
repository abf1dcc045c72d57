/**
 * Attack (or accident): holds of calls that died. A function killed between hold and settle leaves its key
 * reservation and its idempotency claim behind. Each carries the deadline of the call it funds — its family's
 * timeout plus a minute: 16 minutes for text, 6 for media — and frees itself by then, when it stands in a live
 * call's way (the same conditional writes; no TTL or transaction needed). Time is a fake clock, never a wait.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { HOLD_SECONDS } from '../../shared/billing/hold.ts';
import { createKeyLedger, newKeyId, type KeyLedger } from '../../shared/keys/index.ts';
import { createIdempotencyStore, type IdempotencyStore } from '../../shared/stores/idempotency.ts';
import type { BlobStore } from '../../shared/stores/overflow.ts';
import { physicalTableName } from '../../layers/core/tables.ts';

let dynamo: DynamoStandIn;
let raw: DynamoDBClient;
let clock = 1_800_000_000;
let ledger: KeyLedger;
let idempotency: IdempotencyStore;

beforeAll(async () => {
  dynamo = await startDynamo();
  raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(raw, 'test');
  const doc = DynamoDBDocumentClient.from(raw);
  ledger = createKeyLedger({ client: doc, tableName: physicalTableName('test', 'ledgers'), now: () => clock });
  // Small bodies only: nothing overflows to the blob store.
  const blobs = {} as BlobStore;
  idempotency = createIdempotencyStore({ doc, tableName: physicalTableName('test', 'idempotency'), blobs, now: () => clock } as Parameters<typeof createIdempotencyStore>[0]);
});
afterAll(async () => {
  raw.destroy();
  await dynamo.close();
});

const BUDGET = 1000n;

describe('a key hold whose call died', () => {
  it.each([
    ['a text call', HOLD_SECONDS.text],
    ['a media call', HOLD_SECONDS.media],
  ])('of %s (deadline %i s) locks 87 percent of the budget only until then, and then frees itself for a live call', async (_name, holdSeconds) => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 870n, 'crashed', { budget: BUDGET }, holdSeconds);
    const [hold] = (await ledger.getLedger(keyId))!.reservations;
    expect(hold).toMatchObject({ reservationId: 'crashed', amount: 870n, until: clock + holdSeconds });

    const start = clock;
    try {
      // While the call could still be running, its hold stands: a live call that needs it is refused.
      clock = start + holdSeconds - 1;
      await expect(ledger.reserve(keyId, 300n, 'too-soon', { budget: BUDGET })).rejects.toMatchObject({ status: 402, code: 'insufficient_budget' });
      expect((await ledger.getLedger(keyId))!.reservations.map((r) => r.reservationId)).toEqual(['crashed']);

      // At its deadline it is in the way and past its call: the reserve frees it and goes through.
      clock = start + holdSeconds;
      expect((await ledger.reserve(keyId, 300n, 'live', { budget: BUDGET })).reservationId).toBe('live');
      const after = (await ledger.getLedger(keyId))!;
      expect({ reserved: after.reserved, available: after.available, spent: after.spent }).toEqual({ reserved: 300n, available: 700n, spent: 0n });
      expect(after.reservations.map((r) => r.reservationId)).toEqual(['live']);
      // The dead call cannot come back and charge it.
      expect((await ledger.settle(keyId, 'crashed', 870n, 870n)).applied).toBe(false);
    } finally {
      clock = start;
    }
  });

  it('frees only holds past their deadline, never a live one, and each once however many reserves sweep it', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 400n, 'dead-media', { budget: BUDGET }, HOLD_SECONDS.media);
    await ledger.reserve(keyId, 400n, 'live-text', { budget: BUDGET }, HOLD_SECONDS.text);
    const start = clock;
    try {
      clock = start + HOLD_SECONDS.media + 1;
      const racing = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => ledger.reserve(keyId, 300n, `sweeper-${i}`, { budget: BUDGET })));
      // 200 free + 400 swept = 600: two 300s fit, never more.
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
      const after = (await ledger.getLedger(keyId))!;
      expect(after.reservations.map((r) => r.reservationId).sort()).toEqual(['live-text', ...racing.flatMap((r, i) => (r.status === 'fulfilled' ? [`sweeper-${i}`] : []))].sort());
      expect(after.reserved).toBe(1000n);
      expect(after.available + after.reserved + after.spent).toBe(BUDGET);
    } finally {
      clock = start;
    }
  });

  it('releaseStale frees exactly the holds past their deadline', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 100n, 'media', { budget: BUDGET }, HOLD_SECONDS.media);
    await ledger.reserve(keyId, 100n, 'text', { budget: BUDGET }, HOLD_SECONDS.text);
    const start = clock;
    try {
      clock = start + HOLD_SECONDS.media;
      expect(await ledger.releaseStale(keyId)).toBe(1);
      clock = start + HOLD_SECONDS.text;
      expect(await ledger.releaseStale(keyId)).toBe(1);
      expect((await ledger.getLedger(keyId))!.reserved).toBe(0n);
    } finally {
      clock = start;
    }
  });
});

describe('an idempotency claim whose call died', () => {
  it('blocks duplicates (409) until its call’s deadline, then a retry takes it over', async () => {
    const key = `idem-${newKeyId()}`;
    expect((await idempotency.claim('key:k', 'POST /v1/audio/speech', key, '{"a":1}', HOLD_SECONDS.media)).kind).toBe('claimed');
    const start = clock;
    try {
      clock = start + HOLD_SECONDS.media - 1;
      await expect(idempotency.claim('key:k', 'POST /v1/audio/speech', key, '{"a":1}', HOLD_SECONDS.media)).rejects.toMatchObject({ status: 409, code: 'idempotency_key_in_use' });
      clock = start + HOLD_SECONDS.media;
      expect((await idempotency.claim('key:k', 'POST /v1/audio/speech', key, '{"a":1}', HOLD_SECONDS.media)).kind).toBe('claimed');
    } finally {
      clock = start;
    }
  });
});
