/**
 * Attack (or accident): budget leases (issue 15). A warm instance serves a key's calls from a slice of its budget
 * held in memory, so every way of getting served past that slice must fail: many instances racing a key dry, an
 * instance frozen past its lease's deadline that wakes up and keeps going, a revoked key still warm in an
 * instance, a caller naming its hold like a lease. Ledger-level attacks run several real ledgers on dynalite with
 * an injected clock; the gateway-level ones run the local runtime with leases on.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { isLeaseId, newKeyId, type Ledger } from '../../shared/keys/index.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { countedLedger, until, type CountedLedger } from '../support/lease-ledgers.ts';
import { CHAT, headerReceipt, startKeysRuntime, type KeysRuntime } from '../support/payments.ts';

let dynamo: DynamoStandIn;
let clock = 1_800_000_000;
const made: CountedLedger[] = [];
const instance = (leases: Parameters<typeof countedLedger>[3] = { timer: false }): CountedLedger => {
  const counted = countedLedger(dynamo.endpoint, physicalTableName('test', 'ledgers'), () => clock, leases);
  made.push(counted);
  return counted;
};
let gw: KeysRuntime;
let keyLedger: typeof import('../../functions/shared-services.ts')['keyLedger'];

beforeAll(async () => {
  dynamo = await startDynamo();
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(raw, 'test');
  raw.destroy();
  gw = await startKeysRuntime({ env: { COMPOSE_KEY_LEASES: 'on' } });
  // The handlers' own ledger (the runtime runs them in this process): its leases, to return them on demand.
  ({ keyLedger } = await import('../../functions/shared-services.ts'));
});
afterAll(async () => {
  for (const m of made) m.destroy();
  await dynamo?.close();
  await gw?.close();
});

const UNIT = 1_000n;
let serial = 0;
const rid = () => `atk-${(serial += 1)}`;
const exact = (l: Ledger | undefined): Ledger => {
  expect(l).toBeDefined();
  expect(l!.available).toBeGreaterThanOrEqual(0n);
  expect(l!.available + l!.reserved + l!.spent).toBe(l!.budget);
  return l!;
};

describe('leases at the ledger', () => {
  it('six instances firing concurrent bursts at one key get served no more than its budget, to the unit', async () => {
    const keyId = newKeyId();
    const budget = 3_000n * UNIT;
    const instances = Array.from({ length: 6 }, () => instance());
    let charged = 0n;
    let refused = 0;
    for (let wave = 0; wave < 300 && refused < 60; wave++) {
      await Promise.all(
        instances.flatMap((inst) =>
          Array.from({ length: 8 }, async () => {
            const id = rid();
            try {
              await inst.ledger.reserve(keyId, UNIT, id, { budget });
            } catch (error) {
              expect(error).toMatchObject({ status: 402, code: 'insufficient_budget' });
              refused += 1;
              return;
            }
            // Every served call spends its whole worst case: the most an attacker can draw.
            charged += UNIT;
            await inst.ledger.settle(keyId, id, UNIT, UNIT);
          }),
        ),
      );
      if (wave % 10 === 0) exact(await instances[0]!.ledger.getLedger(keyId));
    }
    expect(refused).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(budget);
    for (const inst of instances) await inst.ledger.close();
    expect(exact(await instances[0]!.ledger.getLedger(keyId))).toMatchObject({ spent: charged, reserved: 0n, reservations: [] });
    // The budget is used up to less than one call per instance: leases do not strand it.
    expect(budget - charged).toBeLessThan(UNIT * 6n);
  });

  it('an instance frozen past its lease’s deadline wakes to find it swept: it serves nothing from it, and the ledger stays exact', async () => {
    const keyId = newKeyId();
    const budget = 10_000_000n;
    const a = instance();
    const first = rid();
    await a.ledger.reserve(keyId, UNIT, first, { budget });
    await until(() => a.ledger.leaseStats().leases === 1, 'the lease grant');
    await a.ledger.settle(keyId, first, UNIT, UNIT);
    const running = Array.from({ length: 3 }, rid);
    for (const id of running) await a.ledger.reserve(keyId, UNIT, id, { budget });
    const lease = (await a.ledger.getLedger(keyId))!.reservations.find((r) => isLeaseId(r.reservationId))!;
    const start = clock;
    try {
      // Frozen until after the deadline; meanwhile another instance needs every unit and sweeps the lease.
      clock = lease.until!;
      const b = instance(false);
      const all = (await b.ledger.getLedger(keyId))!.available + lease.amount;
      const big = rid();
      await b.ledger.reserve(keyId, all, big, { budget });
      // A wakes: its calls finish (their charges are forgiven with the lease), and a new call cannot be funded.
      for (const id of running) await a.ledger.settle(keyId, id, UNIT, UNIT);
      await expect(a.ledger.reserve(keyId, UNIT, rid(), { budget })).rejects.toMatchObject({ code: 'insufficient_budget' });
      await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
      expect(a.ledger.leaseStats().leases).toBe(0);
      const l = exact(await a.ledger.getLedger(keyId));
      expect(l).toMatchObject({ spent: UNIT, reserved: all });
      expect(l.reservations.map((r) => r.reservationId)).toEqual([big]);
      await b.ledger.release(keyId, big, all);
      expect(exact(await a.ledger.getLedger(keyId))).toMatchObject({ spent: UNIT, reserved: 0n, available: budget - UNIT });
    } finally {
      clock = start;
    }
  });

  it('a caller cannot name its hold like a lease', async () => {
    const a = instance();
    await expect(a.ledger.reserve(newKeyId(), UNIT, 'lease-x-1', { budget: 10_000_000n })).rejects.toMatchObject({ status: 500 });
  });
});

describe('leases through the gateway', () => {
  const body = (prompt: string) => JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], max_tokens: 32 });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

  it('a warm key is served with no write to its item per call, and the ledger equals the receipts once the lease returns', async () => {
    const key = await gw.mintKey({ budget: 50_000_000n });
    let receipts = BigInt(headerReceipt(await gw.post(CHAT, body('cold'), bearer(key.token))).final_amount_wei);
    await until(() => keyLedger.leaseStats().leases >= 1 && keyLedger.leaseStats().writing === 0, 'the lease grant');
    const before = exact(await gw.ledger.getLedger(key.keyId));
    const served = keyLedger.leaseStats().served;
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => gw.post(CHAT, body(`warm ${i}`), bearer(key.token))));
    for (const answer of answers) receipts += BigInt(headerReceipt(answer).final_amount_wei);
    expect(keyLedger.leaseStats().served - served).toBe(10);
    // The key's item has not moved (unless a due flush landed, which only charges): no per-call hold or settle on it.
    const during = exact(await gw.ledger.getLedger(key.keyId));
    expect(during.reservations.filter((r) => !isLeaseId(r.reservationId))).toEqual([]);
    expect(during.reserved).toBeLessThanOrEqual(before.reserved);
    await keyLedger.close();
    await until(async () => (await gw.ledger.getLedger(key.keyId))!.reserved === 0n, 'the lease to return');
    expect(exact(await gw.ledger.getLedger(key.keyId))).toMatchObject({ spent: receipts, reserved: 0n, reservations: [] });
  });

  it('a key revoked while warm in the gateway is refused within 30 seconds', async () => {
    const key = await gw.mintKey({ budget: 50_000_000n });
    await gw.post(CHAT, body('cold'), bearer(key.token));
    await until(() => keyLedger.leaseStats().leases >= 1 && keyLedger.leaseStats().writing === 0, 'the lease grant');
    await gw.ledger.revoke(key.keyId);
    const revokedAt = Date.now();
    let status = 200;
    // Keep calling, four times a second (the attacker); stop at the first refusal, or give up well past the bound.
    while (status === 200 && Date.now() - revokedAt < 45_000) {
      const answer = await gw.post(CHAT, body('after revocation'), bearer(key.token));
      status = answer.status;
      await answer.arrayBuffer();
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(30_000);
    // From then on it stays refused.
    const again = await gw.post(CHAT, body('again'), bearer(key.token));
    expect(again.status).toBe(401);
    await keyLedger.close();
    await until(async () => (await gw.ledger.getLedger(key.keyId))!.reserved === 0n, 'the lease to return');
    exact(await gw.ledger.getLedger(key.keyId));
  });
});
