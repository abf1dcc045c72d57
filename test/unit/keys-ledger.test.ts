import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { createKeyLedger, newKeyId, type KeyLedger } from '../../shared/keys/index.ts';
import { physicalTableName } from '../../layers/core/tables.ts';

let dynamo: DynamoStandIn;
let raw: DynamoDBClient;
let client: DynamoDBDocumentClient;
let clock = 1_800_000_000;
let ledger: KeyLedger;

beforeAll(async () => {
  dynamo = await startDynamo();
  raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(raw, 'test');
  client = DynamoDBDocumentClient.from(raw);
  ledger = createKeyLedger({ client, tableName: physicalTableName('test', 'ledgers'), now: () => clock });
});
afterAll(async () => {
  raw.destroy();
  await dynamo.close();
});

const exact = async (keyId: string, expected: { budget: bigint; reserved: bigint; spent: bigint }): Promise<void> => {
  const l = await ledger.getLedger(keyId);
  expect({ budget: l?.budget, reserved: l?.reserved, spent: l?.spent }).toEqual(expected);
  expect(l?.available).toBe(expected.budget - expected.reserved - expected.spent);
};

describe('key ledger', () => {
  it('creates the ledger from the claims on first reserve, in the same write', async () => {
    const keyId = newKeyId();
    expect(await ledger.getLedger(keyId)).toBeUndefined();
    const r = await ledger.reserve(keyId, 300n, 'r1', { budget: 1000n, expiresAt: clock + 3600 });
    expect(r.available).toBe(700n);
    await exact(keyId, { budget: 1000n, reserved: 300n, spent: 0n });
    expect((await ledger.getLedger(keyId))?.reservations).toEqual([{ reservationId: 'r1', amount: 300n, at: clock, until: clock + 16 * 60 }]);
  });

  it('50 concurrent reserves against a budget that covers 10: exactly 10 succeed, and the ledger is exact after settling', async () => {
    const keyId = newKeyId();
    const init = { budget: 10_000n };
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => ledger.reserve(keyId, 1000n, `call-${i}`, init)));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(10);
    expect(lost.every((r) => (r.reason as { code?: string }).code === 'insufficient_budget' && (r.reason as { status?: number }).status === 402)).toBe(true);
    await exact(keyId, { budget: 10_000n, reserved: 10_000n, spent: 0n });

    // Settle each at a different metered amount, concurrently, half of them twice (a retried settle).
    const settles = won.flatMap((i) => {
      const once = () => ledger.settle(keyId, `call-${i}`, 1000n, BigInt(100 + i));
      return i % 2 === 0 ? [once(), once()] : [once()];
    });
    const settled = await Promise.all(settles);
    expect(settled.filter((s) => s.applied)).toHaveLength(10);
    const spent = won.reduce((sum, i) => sum + BigInt(100 + i), 0n);
    await exact(keyId, { budget: 10_000n, reserved: 0n, spent });
    expect((await ledger.getLedger(keyId))?.reservations).toEqual([]);
  });

  it('refuses an exhausted budget with its own code and a message that says how much is left', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 900n, 'a', { budget: 1000n });
    const error = await ledger.reserve(keyId, 200n, 'b', { budget: 1000n }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 402, type: 'payment_required', code: 'insufficient_budget', details: { available_wei: '100', required_wei: '200' } });
    expect((error as Error).message).toContain('0.000100 USDC');
    // A first call larger than the whole budget never creates a ledger.
    const other = newKeyId();
    await expect(ledger.reserve(other, 2000n, 'x', { budget: 1000n })).rejects.toMatchObject({ code: 'insufficient_budget' });
    expect(await ledger.getLedger(other)).toBeUndefined();
  });

  it('settle charges at most the reservation and reports the excess; release returns everything', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 500n, 'over', { budget: 1000n });
    expect(await ledger.settle(keyId, 'over', 500n, 650n)).toEqual({ applied: true, charged: 500n, released: 0n, uncharged: 150n });
    await ledger.reserve(keyId, 300n, 'fail', { budget: 1000n });
    expect(await ledger.release(keyId, 'fail', 300n)).toEqual({ applied: true, charged: 0n, released: 300n, uncharged: 0n });
    await exact(keyId, { budget: 1000n, reserved: 0n, spent: 500n });
  });

  it('settle and release are idempotent per reservation id, and never both apply', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 400n, 'r', { budget: 1000n });
    const outcomes = await Promise.all([ledger.settle(keyId, 'r', 400n, 100n), ledger.release(keyId, 'r', 400n), ledger.settle(keyId, 'r', 400n, 100n)]);
    expect(outcomes.filter((o) => o.applied)).toHaveLength(1);
    const l = await ledger.getLedger(keyId);
    expect(l!.reserved).toBe(0n);
    expect(l!.spent === 100n || l!.spent === 0n).toBe(true);
    expect(l!.available).toBe(1000n - l!.spent);
    expect(await ledger.settle(keyId, 'r', 400n, 100n)).toMatchObject({ applied: false });
    // An unknown reservation changes nothing.
    expect(await ledger.release(keyId, 'never-made', 10n)).toMatchObject({ applied: false });
    await exact(keyId, { budget: 1000n, reserved: 0n, spent: l!.spent });
  });

  it('a retried reserve with the same id holds the amount once', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 100n, 'same', { budget: 1000n });
    await ledger.reserve(keyId, 100n, 'same', { budget: 1000n });
    await exact(keyId, { budget: 1000n, reserved: 100n, spent: 0n });
  });

  it('revocation is checked by reserve, also for a key revoked before its first use', async () => {
    const used = newKeyId();
    await ledger.reserve(used, 100n, 'a', { budget: 1000n });
    await ledger.revoke(used);
    await expect(ledger.reserve(used, 100n, 'b', { budget: 1000n })).rejects.toMatchObject({ status: 401, code: 'revoked_api_key' });
    // Calls in flight still settle.
    expect((await ledger.settle(used, 'a', 100n, 40n)).applied).toBe(true);

    const unused = newKeyId();
    await ledger.revoke(unused);
    await expect(ledger.reserve(unused, 1n, 'a', { budget: 1000n })).rejects.toMatchObject({ code: 'revoked_api_key' });
    expect((await ledger.getLedger(unused))?.revoked).toBe(true);
  });

  it('refuses to reserve once the key has expired, and treats a ledger past its TTL as absent', async () => {
    const keyId = newKeyId();
    const init = { budget: 10n, expiresAt: clock + 60 };
    await ledger.reserve(keyId, 1n, 'a', init);
    const saved = clock;
    try {
      clock += 60;
      await expect(ledger.reserve(keyId, 1n, 'b', init)).rejects.toMatchObject({ status: 401, code: 'expired_api_key' });
      expect((await ledger.getLedger(keyId))?.reserved).toBe(1n);
      clock += 31 * 24 * 3600;
      expect(await ledger.getLedger(keyId)).toBeUndefined();
      await expect(ledger.reserve(keyId, 1n, 'c', init)).rejects.toMatchObject({ code: 'expired_api_key' });
    } finally {
      clock = saved;
    }
  });

  it('a key with no budget claim needs a ledger made up front', async () => {
    const keyId = newKeyId();
    await expect(ledger.reserve(keyId, 1n, 'a')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await ledger.create(keyId, { budget: 50n });
    await expect(ledger.create(keyId, { budget: 50n })).rejects.toMatchObject({ status: 409, code: 'ledger_exists' });
    expect((await ledger.reserve(keyId, 20n, 'a')).available).toBe(30n);
  });

  it('releases reservations abandoned by a function that died', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 100n, 'old', { budget: 1000n });
    const saved = clock;
    clock += 7200;
    try {
      await ledger.reserve(keyId, 100n, 'new', { budget: 1000n });
      expect(await ledger.releaseStale(keyId, 3600)).toBe(1);
      await exact(keyId, { budget: 1000n, reserved: 100n, spent: 0n });
    } finally {
      clock = saved;
    }
  });

  it('frees abandoned holds when they would refuse a live call, and only then', async () => {
    const keyId = newKeyId();
    await ledger.reserve(keyId, 800n, 'died', { budget: 1000n });
    await expect(ledger.reserve(keyId, 300n, 'too-soon', { budget: 1000n })).rejects.toMatchObject({ status: 402, code: 'insufficient_budget' });
    const saved = clock;
    clock += 3600;
    try {
      expect((await ledger.reserve(keyId, 300n, 'live', { budget: 1000n })).reservationId).toBe('live');
      await exact(keyId, { budget: 1000n, reserved: 300n, spent: 0n });
      // The abandoned reservation is gone for good: settling it later changes nothing.
      expect((await ledger.settle(keyId, 'died', 800n, 800n)).applied).toBe(false);
    } finally {
      clock = saved;
    }
  });
});
