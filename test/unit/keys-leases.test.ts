/**
 * Budget leases (issue 15, item 1): a warm instance serves a key's calls from a slice of its budget held in one
 * reservation, with no DynamoDB round trip per call and no per-call write to the key's item. Every ledger here
 * is the real one on dynalite; its DynamoDB commands are counted through the SDK client it was given. Time is an
 * injected clock (epoch seconds), never a wait.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { isLeaseId, keyLeasesFromEnv, LEASE_DEFAULTS, newKeyId, type Ledger } from '../../shared/keys/index.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { countedLedger, until, type CountedLedger } from '../support/lease-ledgers.ts';

let dynamo: DynamoStandIn;
let clock = 1_800_000_000;
const now = () => clock;
const table = physicalTableName('test', 'ledgers');
const made: CountedLedger[] = [];
/** A ledger instance (a Lambda instance's) with leases on and no timer, unless a test says otherwise. */
const instance = (leases: Parameters<typeof countedLedger>[3] = { timer: false }): CountedLedger => {
  const counted = countedLedger(dynamo.endpoint, table, now, leases);
  made.push(counted);
  return counted;
};

beforeAll(async () => {
  dynamo = await startDynamo();
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(raw, 'test');
  raw.destroy();
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  for (const m of made) m.destroy();
  await dynamo.close();
});

const UNIT = 1_000n;
const BUDGET = 10_000_000n;
let serial = 0;
const rid = () => `call-${(serial += 1)}`;

/** budget = spent + reserved + available, and the figures themselves. */
const exact = (l: Ledger | undefined) => {
  expect(l).toBeDefined();
  expect(l!.available + l!.reserved + l!.spent).toBe(l!.budget);
  expect(l!.reservations.reduce((sum, r) => sum + r.amount, 0n)).toBe(l!.reserved);
  return l!;
};
const leasesOf = (l: Ledger) => l.reservations.filter((r) => isLeaseId(r.reservationId));

/** A key with one instance holding a granted lease (the first call paid per call, and asked for the lease). */
const warmKey = async (budget = BUDGET, leases?: Parameters<typeof countedLedger>[3]) => {
  const keyId = newKeyId();
  const a = instance(leases);
  const first = rid();
  await a.ledger.reserve(keyId, UNIT, first, { budget });
  await until(() => a.ledger.leaseStats().leases === 1, 'the lease grant');
  await a.ledger.settle(keyId, first, UNIT, 400n);
  return { keyId, a };
};

/** A warm key whose lease has one unwritten charge of 700, taken now (due `flushSeconds` later). */
const warmKeyOwing700 = async () => {
  const warm = await warmKey();
  const id = rid();
  await warm.a.ledger.reserve(warm.keyId, UNIT, id, { budget: BUDGET });
  await warm.a.ledger.settle(warm.keyId, id, UNIT, 700n);
  return warm;
};

describe('a budget lease', () => {
  it('is granted off the first call’s path, in one conditional write, sized by the key’s budget and the call', async () => {
    const keyId = newKeyId();
    const a = instance();
    await a.ledger.reserve(keyId, UNIT, 'first', { budget: BUDGET });
    // The first call on a cold instance holds per call: one round trip, as before; the grant follows it.
    expect(a.calls[0]?.command).toBe('UpdateItemCommand');
    await until(() => a.ledger.leaseStats().leases === 1, 'the lease grant');
    expect(a.calls.map((c) => c.command)).toEqual(['UpdateItemCommand', 'UpdateItemCommand']);
    const l = exact(await a.ledger.getLedger(keyId));
    const [lease] = leasesOf(l);
    // At most 1/16 of what the key had left, and at most 256 calls' worst case.
    const expected = (BUDGET - UNIT) / 16n < 256n * UNIT ? (BUDGET - UNIT) / 16n : 256n * UNIT;
    expect(lease).toMatchObject({ amount: expected, until: clock + LEASE_DEFAULTS.maxCallSeconds + LEASE_DEFAULTS.serveSeconds });
  });

  it('serves calls from memory: a hundred reserves and settles make no DynamoDB call at all', async () => {
    const { keyId, a } = await warmKey();
    const before = a.calls.length;
    const ids = Array.from({ length: 100 }, rid);
    await Promise.all(ids.map((id) => a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET })));
    await Promise.all(ids.map((id, i) => (i % 10 === 0 ? a.ledger.release(keyId, id, UNIT) : a.ledger.settle(keyId, id, UNIT, 300n))));
    expect(a.calls.length - before).toBe(0);
    expect(a.ledger.leaseStats()).toMatchObject({ leases: 1, calls: 0, unwritten: 90n * 300n });
  });

  it('writes what its calls spent in one batch, and the ledger is exact to the unit', async () => {
    const { keyId, a } = await warmKey();
    const ids = Array.from({ length: 50 }, rid);
    for (const id of ids) await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
    for (const [i, id] of ids.entries()) await a.ledger.settle(keyId, id, UNIT, BigInt(100 + i));
    const before = a.writes();
    await a.ledger.flush();
    expect(a.writes() - before).toBe(1);
    const spent = 400n + ids.reduce((sum, _id, i) => sum + BigInt(100 + i), 0n);
    const l = exact(await a.ledger.getLedger(keyId));
    expect(l.spent).toBe(spent);
    expect(a.ledger.leaseStats().unwritten).toBe(0n);
    // Returned in full once idle: nothing left reserved, everything charged exactly.
    await a.ledger.close();
    expect(exact(await a.ledger.getLedger(keyId))).toMatchObject({ spent, reserved: 0n, available: BUDGET - spent, reservations: [] });
  });

  it('flushes at the next call once its charges are due, without making that call wait', async () => {
    const { keyId, a } = await warmKeyOwing700();
    const start = clock;
    try {
      clock = start + LEASE_DEFAULTS.flushSeconds;
      const before = a.calls.length;
      // The call is served from the lease; the flush it started runs beside it.
      const r = await a.ledger.reserve(keyId, UNIT, rid(), { budget: BUDGET });
      expect(r.available).toBeUndefined();
      await until(() => a.ledger.leaseStats().unwritten === 0n, 'the flush');
      expect(a.calls.length - before).toBe(1);
      expect((await a.ledger.getLedger(keyId))!.spent).toBe(400n + 700n);
    } finally {
      clock = start;
    }
  });

  it('dates a charge that lands during a flush from that flush: the next call does not write again at once', async () => {
    // A flush left such a charge dated from before it, so it was due at once: each call started another write,
    // one write per call on the key's item, as long as calls came back to back (found by the lambda-cpu bench).
    const { keyId, a } = await warmKeyOwing700();
    const start = clock;
    try {
      clock = start + LEASE_DEFAULTS.flushSeconds;
      const second = rid();
      await a.ledger.reserve(keyId, UNIT, second, { budget: BUDGET });
      // The flush that reserve started is out: this charge lands during it.
      expect(a.ledger.leaseStats().writing).toBeGreaterThan(0);
      await a.ledger.settle(keyId, second, UNIT, 500n);
      await until(() => a.ledger.leaseStats().writing === 0 && a.ledger.leaseStats().unwritten === 500n, 'the flush');
      const before = a.calls.length;
      const third = rid();
      await a.ledger.reserve(keyId, UNIT, third, { budget: BUDGET });
      await a.ledger.settle(keyId, third, UNIT, 300n);
      await new Promise((resolve) => setImmediate(resolve));
      expect(a.ledger.leaseStats().writing).toBe(0);
      expect(a.calls.length - before).toBe(0);
      // Written once due, counted from that flush.
      clock = start + 2 * LEASE_DEFAULTS.flushSeconds;
      await a.ledger.reserve(keyId, UNIT, rid(), { budget: BUDGET });
      await until(() => a.ledger.leaseStats().unwritten === 0n, 'the next flush');
      expect((await a.ledger.getLedger(keyId))!.spent).toBe(400n + 700n + 500n + 300n);
    } finally {
      clock = start;
    }
  });

  it('is returned by the timer of an instance that stays awake once idle (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { keyId, a } = await warmKey(BUDGET, {});
    const start = clock;
    try {
      clock = start + LEASE_DEFAULTS.idleSeconds;
      vi.advanceTimersByTime(1_000);
      await until(async () => (await a.ledger.getLedger(keyId))!.reserved === 0n, 'the idle return');
      expect(exact(await a.ledger.getLedger(keyId))).toMatchObject({ spent: 400n, reservations: [] });
      expect(a.ledger.leaseStats().leases).toBe(0);
    } finally {
      clock = start;
    }
  });

  it('falls back to per-call holds when the budget is small: every call holds and settles on the key, exactly', async () => {
    const keyId = newKeyId();
    const a = instance();
    const budget = 40n * UNIT; // 1/16 of it covers fewer than 4 calls: no lease
    for (let i = 0; i < 5; i++) {
      const id = rid();
      await a.ledger.reserve(keyId, UNIT, id, { budget });
      await a.ledger.settle(keyId, id, UNIT, 250n);
    }
    await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
    expect(a.ledger.leaseStats().leases).toBe(0);
    expect(a.writes()).toBe(10);
    const l = exact(await a.ledger.getLedger(keyId));
    expect(l).toMatchObject({ spent: 1_250n, reserved: 0n });
    expect(leasesOf(l)).toEqual([]);
  });

  it('never lets a call’s worst case exceed what the lease has free: a larger call holds per call', async () => {
    const { keyId, a } = await warmKey();
    const lease = leasesOf((await a.ledger.getLedger(keyId))!)[0]!;
    const before = a.writes();
    const big = rid();
    await a.ledger.reserve(keyId, lease.amount + 1n, big, { budget: BUDGET });
    expect(a.writes() - before).toBeGreaterThanOrEqual(1);
    expect((await a.ledger.getLedger(keyId))!.reservations.map((r) => r.reservationId)).toContain(big);
    await a.ledger.release(keyId, big, lease.amount + 1n);
  });
});

describe('leases under concurrency and failure', () => {
  it('four instances racing one key to exhaustion never overdraw, and the ledger equals what the calls were charged', async () => {
    const keyId = newKeyId();
    const budget = 2_000n * UNIT;
    const instances = Array.from({ length: 4 }, () => instance());
    let charged = 0n;
    let served = 0;
    let refused = 0;
    // Waves of concurrent calls from every instance until the key runs dry; each call charges 60–100% of its hold.
    for (let wave = 0; wave < 200 && refused < 40; wave++) {
      await Promise.all(
        instances.flatMap((inst, i) =>
          Array.from({ length: 5 }, async (_, j) => {
            const id = rid();
            try {
              await inst.ledger.reserve(keyId, UNIT, id, { budget });
            } catch (error) {
              expect(error).toMatchObject({ code: 'insufficient_budget' });
              refused += 1;
              return;
            }
            served += 1;
            const actual = (UNIT * BigInt(60 + ((wave + i + j) % 41))) / 100n;
            charged += actual;
            await inst.ledger.settle(keyId, id, UNIT, actual);
          }),
        ),
      );
      // The invariant holds at every moment, not only at the end.
      const l = exact(await instances[0]!.ledger.getLedger(keyId));
      expect(l.available).toBeGreaterThanOrEqual(0n);
    }
    expect(refused).toBeGreaterThan(0);
    expect(charged).toBeLessThanOrEqual(budget);
    for (const inst of instances) await inst.ledger.close();
    const l = exact(await instances[0]!.ledger.getLedger(keyId));
    expect(l).toMatchObject({ spent: charged, reserved: 0n, available: budget - charged, reservations: [] });
    // Leases carried most calls: far fewer writes than two per call.
    const writes = instances.reduce((sum, inst) => sum + inst.writes(), 0);
    expect(writes).toBeLessThan(served);
  });

  it('an instance that dies without flushing: its lease returns by its deadline, and the ledger stays exact', async () => {
    const { keyId, a } = await warmKey();
    for (let i = 0; i < 20; i++) {
      const id = rid();
      await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
      if (i < 15) await a.ledger.settle(keyId, id, UNIT, 500n); // five are still running when it dies
    }
    const [lease] = leasesOf((await a.ledger.getLedger(keyId))!);
    // `a` is never called again: a crashed (or forever frozen) Lambda instance.
    const b = instance(false);
    const start = clock;
    try {
      // Before the deadline, the lease stands in the way of a call that needs its budget.
      clock = lease!.until! - 1;
      const rest = (await b.ledger.getLedger(keyId))!.available;
      await expect(b.ledger.reserve(keyId, rest + 1n, rid(), { budget: BUDGET })).rejects.toMatchObject({ code: 'insufficient_budget' });
      // At it, that call sweeps it: the whole lease is free again.
      clock = lease!.until!;
      const id = rid();
      await b.ledger.reserve(keyId, rest + 1n, id, { budget: BUDGET });
      const l = exact(await b.ledger.getLedger(keyId));
      expect(leasesOf(l)).toEqual([]);
      // Unwritten charges of the dead instance are forgiven, as a dead call's are: spent holds only what was
      // written (the first call's, held per call).
      expect(l.spent).toBe(400n);
      expect(l.reserved).toBe(rest + 1n);
      await b.ledger.release(keyId, id, rest + 1n);
      expect(exact(await b.ledger.getLedger(keyId))).toMatchObject({ reserved: 0n, available: BUDGET - 400n });
    } finally {
      clock = start;
    }
  });

  it('a revoked key stops being served within 30 seconds on an instance that holds a lease, and calls in flight still settle', async () => {
    const { keyId, a } = await warmKey();
    const running = rid();
    await a.ledger.reserve(keyId, UNIT, running, { budget: BUDGET });
    const admin = instance(false);
    await admin.ledger.revoke(keyId);
    const start = clock;
    let refusedAt: number | undefined;
    try {
      for (let t = 0; t <= 30; t++) {
        clock = start + t;
        const id = rid();
        try {
          await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
          expect(refusedAt, 'served after a refusal').toBeUndefined();
          await a.ledger.settle(keyId, id, UNIT, 100n);
        } catch (error) {
          expect(error).toMatchObject({ status: 401, code: 'revoked_api_key' });
          refusedAt ??= t;
        }
        // Whatever the instance started in the background lands before the next second.
        await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
      }
      expect(refusedAt).toBeDefined();
      expect(refusedAt!).toBeLessThan(30);
      // The call that was running when the key was revoked settles, and the lease winds down exactly.
      await a.ledger.settle(keyId, running, UNIT, 900n);
      await a.ledger.close();
      await until(async () => (await a.ledger.getLedger(keyId))!.reserved === 0n, 'the lease to wind down');
      const l = exact(await a.ledger.getLedger(keyId));
      expect(l.revoked).toBe(true);
      expect(leasesOf(l)).toEqual([]);
    } finally {
      clock = start;
    }
  });

  it('a lease write whose answer is lost is read back: applied once, never twice, and the ledger stays exact', async () => {
    const { keyId, a } = await warmKey();
    for (let i = 0; i < 10; i++) {
      const id = rid();
      await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
      await a.ledger.settle(keyId, id, UNIT, 300n);
    }
    // The next UpdateItem lands, but its answer never arrives (a timeout, a dropped connection).
    let lose = true;
    a.raw.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (lose && context.commandName === 'UpdateItemCommand') {
          lose = false;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return result;
      },
      { step: 'initialize', name: 'loseOneAnswer' },
    );
    await a.ledger.flush();
    expect(lose).toBe(false);
    expect(a.ledger.leaseStats().unwritten).toBe(0n);
    expect(exact(await a.ledger.getLedger(keyId)).spent).toBe(400n + 3_000n);
    // The lease carries on as if the answer had arrived.
    const id = rid();
    await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
    await a.ledger.settle(keyId, id, UNIT, 300n);
    await a.ledger.close();
    expect(exact(await a.ledger.getLedger(keyId))).toMatchObject({ spent: 400n + 3_300n, reserved: 0n, reservations: [] });
  });

  it('a lease whose write outcome cannot be known serves no new call and is left to its deadline', async () => {
    const { keyId, a } = await warmKey();
    const running = rid();
    const done = rid();
    await a.ledger.reserve(keyId, UNIT, running, { budget: BUDGET });
    await a.ledger.reserve(keyId, UNIT, done, { budget: BUDGET });
    await a.ledger.settle(keyId, done, UNIT, 300n);
    const orphan = leasesOf((await a.ledger.getLedger(keyId))!)[0]!;
    // Every answer is lost while the instance writes its lease: the write and its read-back.
    let down = true;
    a.raw.middlewareStack.add(
      (next) => async (args) => {
        const result = await next(args);
        if (down) throw Object.assign(new Error('connection reset'), { name: 'NetworkingError' });
        return result;
      },
      { step: 'initialize', name: 'loseEveryAnswer' },
    );
    await expect(a.ledger.flush()).rejects.toThrow('connection reset');
    down = false;
    await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
    // No new call is served from it: the next one holds per call.
    const next = rid();
    const before = a.writes();
    await a.ledger.reserve(keyId, UNIT, next, { budget: BUDGET });
    expect(a.writes() - before).toBeGreaterThanOrEqual(1);
    expect((await a.ledger.getLedger(keyId))!.reservations.map((r) => r.reservationId)).toContain(next);
    await a.ledger.release(keyId, next, UNIT);
    await a.ledger.settle(keyId, running, UNIT, 500n);
    await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
    await a.ledger.close();
    const start = clock;
    try {
      // Still in the ledger until its deadline (the write may or may not have landed: the read-back could not say).
      expect(leasesOf((await a.ledger.getLedger(keyId))!).map((r) => r.reservationId)).toEqual([orphan.reservationId]);
      clock = orphan.until!;
      const b = instance(false);
      expect(await b.ledger.releaseStale(keyId)).toBe(1);
      // Its unwritten charges are forgiven; whatever landed is exact.
      const l = exact(await b.ledger.getLedger(keyId));
      expect(l).toMatchObject({ reserved: 0n, reservations: [] });
      expect(l.spent === 400n || l.spent === 700n).toBe(true);
    } finally {
      clock = start;
    }
  });

  it('revocation reaches a lease with no charges to write (only the trust re-check sees it), within its 20 s of trust', async () => {
    const { keyId, a } = await warmKey();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
    const admin = instance(false);
    await admin.ledger.revoke(keyId);
    const start = clock;
    let refusedAt: number | undefined;
    try {
      for (let t = 0; t <= 30 && refusedAt === undefined; t++) {
        clock = start + t;
        const id = rid();
        try {
          await a.ledger.reserve(keyId, UNIT, id, { budget: BUDGET });
          await a.ledger.release(keyId, id, UNIT); // nothing charged: no flush is ever due
        } catch (error) {
          expect(error).toMatchObject({ code: 'revoked_api_key' });
          refusedAt = t;
        }
        await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
      }
      expect(refusedAt).toBeDefined();
      expect(refusedAt!).toBeLessThanOrEqual(LEASE_DEFAULTS.trustSeconds);
    } finally {
      clock = start;
    }
  });

  it('an instance frozen past its trust wakes and re-checks the key before serving anything', async () => {
    // Idle return later than the freeze, so only the trust bound stands between the thaw and a served call.
    const { keyId, a } = await warmKey(BUDGET, { timer: false, idleSeconds: 60 });
    await until(() => a.ledger.leaseStats().writing === 0, 'background writes');
    await instance(false).ledger.revoke(keyId);
    const start = clock;
    try {
      // No call (and no timer) for 25 s: the first call after the thaw waits on the re-check and is refused.
      clock = start + 25;
      await expect(a.ledger.reserve(keyId, UNIT, rid(), { budget: BUDGET })).rejects.toMatchObject({ status: 401, code: 'revoked_api_key' });
      expect(a.ledger.leaseStats().served).toBe(0);
    } finally {
      clock = start;
    }
  });

  it('is on unless COMPOSE_KEY_LEASES turns it off', () => {
    expect(keyLeasesFromEnv({})).toEqual({});
    expect(keyLeasesFromEnv({ COMPOSE_KEY_LEASES: 'on' })).toEqual({});
    expect(keyLeasesFromEnv({ COMPOSE_KEY_LEASES: 'off' })).toBe(false);
    expect(keyLeasesFromEnv({ COMPOSE_KEY_LEASES: ' OFF ' })).toBe(false);
  });
});
