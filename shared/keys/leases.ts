/**
 * Budget leases: a key's hot path without a DynamoDB round trip per call and without a per-call write to the
 * key's item. An instance reserves a slice of a key's budget as ONE reservation (`res_lease-…`), serves calls'
 * worst-case holds from it in memory, and writes what they spent, resized and re-checked, in batches
 * (`ledger-lease.ts`). Behind the `KeyLedger` API: a call's reserve / settle / release look the same to callers.
 *
 * The invariants, and what keeps each:
 * - No paid byte before money is held: a call is served from a lease only when the lease's free part (what the
 *   ledger holds for it, minus its calls' worst cases and their unwritten charges) covers the call's worst case.
 * - No overdraw: the ledger moves money only by conditional writes (the grant is a reservation; growth checks
 *   `available`), and an instance never serves past what the ledger holds for its lease.
 * - Dead instances: a lease's deadline is the deadline of the longest call it may fund, counted from its last
 *   write, and it serves a call only if that call's own deadline falls within it. Past it, the lease is an
 *   ordinary stale hold: the next reserve that needs the budget sweeps it (and `releaseStale` does).
 *   Charges not yet written when an instance dies are forgiven, as a call that dies before its settle is.
 * - Revocation within 30 s: every write that extends a lease also checks `revoked` and the key's expiry; an
 *   instance serves from a lease only within `trustSeconds` (20) of its last such check, re-checking in the
 *   background from `refreshSeconds` (10) on, and blocking on it only past `trustSeconds`.
 * - Lambda freezes between invocations, so timers cannot be relied on: every reserve/settle/release runs what
 *   is due (flush, refresh, idle return), for every lease the instance holds; the timer (unref'd) is a bonus
 *   for an instance that stays awake (the local runtime). The deadline bounds everything else.
 * - Small budgets: a lease takes at most 1/`share` of what the key has left and is granted only if that covers
 *   `minCalls` calls; otherwise calls keep their per-call holds, exact to the last unit.
 */
import { randomUUID } from 'node:crypto';
import { InternalError } from '../../layers/core/errors.ts';
import { describeError, logger } from '../../layers/core/observability/index.ts';
import { KEY_ERROR_CODES } from './errors.ts';
import { checkAmount, checkIds, type LedgerContext } from './ledger-context.ts';
import { DEFAULT_HOLD_SECONDS } from './ledger-item.ts';
import { rebalance } from './ledger-lease.ts';
import type { LedgerInit, Reservation } from './ledger-reserve.ts';
import type { Settlement } from './ledger-settle.ts';

export interface LeaseOptions {
  /** The longest call a lease may fund (its hold deadline), seconds. Default: a streamed text call's 16 minutes. */
  readonly maxCallSeconds?: number;
  /** How long after a write a lease may still start its longest call; its deadline is `maxCallSeconds` past that. */
  readonly serveSeconds?: number;
  /** How long an instance trusts a key (not revoked, not expired) after a write checked it. Must stay under 30. */
  readonly trustSeconds?: number;
  /** From this age of that check on, a call starts a background re-check (it does not wait for it). */
  readonly refreshSeconds?: number;
  /** Charges are written within this many seconds of the first unwritten one (at the next call, or by the timer). */
  readonly flushSeconds?: number;
  /** A lease no call has used for this long is returned. */
  readonly idleSeconds?: number;
  /** A lease takes at most 1/share of what the key has left. */
  readonly share?: number;
  /** Granted only if it covers this many of the calls that asked for it; else per-call holds. */
  readonly minCalls?: number;
  /** And at most this many. */
  readonly maxCalls?: number;
  /** Run due work from a timer too (unref'd, so it never keeps a process alive). Default true. */
  readonly timer?: boolean;
  /** Names this instance's leases in the ledger (for an operator reading it). */
  readonly instanceId?: string;
}

export const LEASE_DEFAULTS = {
  maxCallSeconds: DEFAULT_HOLD_SECONDS,
  serveSeconds: 60,
  trustSeconds: 20,
  refreshSeconds: 10,
  flushSeconds: 2,
  idleSeconds: 15,
  share: 16,
  minCalls: 4,
  maxCalls: 256,
} as const;

/** Lease reservation ids start with this: the soak's audit and an operator tell them from calls' holds by it. */
export const LEASE_PREFIX = 'lease-';
export const isLeaseId = (reservationId: string): boolean => reservationId.startsWith(LEASE_PREFIX);

/** The per-call ledger a lease manager sits on (`ledger.ts` without leases). */
export interface PerCallLedger {
  reserve(keyId: string, amount: bigint, reservationId: string, init?: LedgerInit, holdSeconds?: number): Promise<Reservation>;
  settle(keyId: string, reservationId: string, reserved: bigint, actual: bigint): Promise<Settlement>;
  release(keyId: string, reservationId: string, reserved: bigint): Promise<Settlement>;
}

interface Lease {
  readonly keyId: string;
  readonly id: string;
  /** What the ledger holds for it, as of its last confirmed write. */
  held: bigint;
  /** While a write that shrinks it is in flight: what it may count on whichever way that write ends. */
  cap: bigint;
  /** Its deadline in the ledger (epoch seconds). */
  until: number;
  /** When a write last confirmed the key live. */
  checkedAt: number;
  /** Charged by finished calls, not yet written. */
  pending: bigint;
  pendingSince?: number;
  /** Worst cases of its calls still running, and how many. */
  inFlight: bigint;
  calls: number;
  lastUsed: number;
  /** The largest call it has served: sizes it. */
  unit: bigint;
  /** What the key had available at the last write. */
  available: bigint;
  /** Revoked, expired, or the budget got small: serves no new call, returns when its calls end. */
  closing: boolean;
  writing?: Promise<void>;
  /** Serial number of its last write (see ledger-lease.ts). */
  writes: number;
  /** A write's outcome is unknown: it serves no new call, counts only `cap`, and is left to its deadline. */
  orphan?: boolean;
}

interface Hold {
  readonly lease: Lease;
  readonly amount: bigint;
}

export interface LeaseStats {
  /** Leases this instance holds open, and calls they are funding. */
  readonly leases: number;
  readonly calls: number;
  /** Charged by finished calls and not yet written to the ledger. */
  readonly unwritten: bigint;
  /** Lease writes (and grants) in flight. */
  readonly writing: number;
  /** Since this instance started: reserves served from a lease with no I/O, served after waiting on a lease
   *  write (a re-check past `trustSeconds`), and held per call (one round trip, as without leases). */
  readonly served: number;
  readonly waited: number;
  readonly perCall: number;
}

export interface LeaseManager {
  reserve(keyId: string, amount: bigint, reservationId: string, init?: LedgerInit, holdSeconds?: number): Promise<Reservation>;
  settle(keyId: string, reservationId: string, reserved: bigint, actual: bigint): Promise<Settlement>;
  release(keyId: string, reservationId: string, reserved: bigint): Promise<Settlement>;
  /** Writes every lease's unwritten charges now. */
  flush(): Promise<void>;
  /** Returns every lease whose calls have ended (and stops serving from the others); for a clean shutdown. */
  close(): Promise<void>;
  stats(): LeaseStats;
}

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const max = (a: bigint, b: bigint): bigint => (a > b ? a : b);

export const createLeaseManager = (ctx: LedgerContext, base: PerCallLedger, options: LeaseOptions = {}): LeaseManager => {
  const o = { ...LEASE_DEFAULTS, ...options };
  if (o.trustSeconds >= 30) throw new InternalError('a key may be trusted for less than 30 seconds (the revocation bound)');
  const leaseSeconds = o.maxCallSeconds + o.serveSeconds;
  const instance = (options.instanceId ?? randomUUID().replaceAll('-', '').slice(0, 12)).replace(/[^A-Za-z0-9_]/g, '').slice(0, 40);
  let serial = 0;
  /** Every lease this instance holds open, by lease id; `serving`, the one per key that takes new calls. */
  const leases = new Map<string, Lease>();
  const serving = new Map<string, Lease>();
  const holds = new Map<string, Hold>();
  /** Keys whose grant is in flight, and what each key had available at its last per-call reserve. */
  const granting = new Set<string>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const counts = { served: 0, waited: 0, perCall: 0 };

  const free = (lease: Lease): bigint => min(lease.held, lease.cap) - lease.pending - lease.inFlight;
  /** What a lease should hold: 1/share of what it and the key have free, at most maxCalls calls. */
  const target = (available: bigint, unit: bigint): bigint => min(available / BigInt(o.share), unit * BigInt(o.maxCalls));
  const enough = (size: bigint, unit: bigint): boolean => unit > 0n && size >= unit * BigInt(o.minCalls);

  const logFailure = (lease: { keyId: string; id: string }, what: string, error: unknown): void =>
    logger.error(`key lease ${what} failed`, { event: 'key_lease_write_failed', payer: `key:${lease.keyId}`, lease: lease.id, error: describeError(error) });

  const forget = (lease: Lease): void => {
    leases.delete(lease.id);
    if (serving.get(lease.keyId) === lease) serving.delete(lease.keyId);
    if (leases.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  /** Returns the lease: charges what its calls spent and frees the rest. Only once its calls have ended. */
  const retire = async (lease: Lease): Promise<void> => {
    const charge = lease.pending;
    const settled = await base.settle(lease.keyId, lease.id, lease.held, charge);
    if (!settled.applied) logger.error('a key lease was gone when returned: its unwritten charges are forgiven', { event: 'key_lease_lost', payer: `key:${lease.keyId}`, lease: lease.id, forgiven: charge.toString() });
    lease.pending -= charge;
    lease.held = 0n;
    lease.cap = 0n;
    forget(lease);
  };

  /** One write: charge, resize, and (if still serving) extend and re-check. */
  const write = async (lease: Lease): Promise<void> => {
    const now = ctx.now();
    if (lease.orphan) {
      if (lease.calls === 0) {
        logger.error('a key lease write had an unknown outcome: the lease is left to its deadline and its unwritten charges are forgiven', {
          event: 'key_lease_orphaned',
          payer: `key:${lease.keyId}`,
          lease: lease.id,
          until: lease.until,
          forgiven: lease.pending.toString(),
        });
        forget(lease);
      }
      return;
    }
    if (lease.calls === 0 && (lease.closing || now - lease.lastUsed >= o.idleSeconds)) {
      lease.closing = true;
      return retire(lease);
    }
    const charge = lease.pending;
    const keep = lease.held - charge; // what it holds for running calls plus its free part
    let newHeld: bigint;
    let until: number | undefined;
    if (lease.closing) newHeld = lease.inFlight;
    else {
      // Never more than the key has left outside leases: as a key runs dry its leases shrink and close, and
      // its last units are spent by per-call holds instead of sitting in other instances' leases.
      const size = min(target(lease.available + keep, lease.unit), lease.available);
      if (!enough(size, lease.unit)) {
        // The key's budget got small: stop leasing, and let per-call holds spend the rest exactly.
        lease.closing = true;
        newHeld = lease.inFlight;
      } else {
        newHeld = max(size, lease.inFlight);
        until = now + leaseSeconds;
      }
    }
    lease.cap = newHeld + charge;
    /** True only while a write is out: any answer (applied or a refusal) is definite, a thrown error is not. */
    let unsure = false;
    const send = async (fields: { newHeld: bigint; until?: number }) => {
      unsure = true;
      const result = await rebalance(ctx, { keyId: lease.keyId, leaseId: lease.id, held: lease.held, charge, serial: (lease.writes += 1), ...fields });
      unsure = false;
      return result;
    };
    try {
      let result = await send({ newHeld, ...(until === undefined ? {} : { until }) });
      if (result.kind === 'short' && until !== undefined) {
        // Not enough to grow: keep what it has (still re-checked and extended), within what the key has left.
        newHeld = max(lease.inFlight, min(keep, target(result.available + keep, lease.unit)));
        lease.cap = newHeld + charge;
        result = await send({ newHeld, until });
      }
      if (result.kind === 'dead') {
        lease.closing = true;
        newHeld = lease.inFlight;
        lease.cap = newHeld + charge;
        result = await send({ newHeld });
      }
      if (result.kind === 'lost') {
        logger.error('a key lease was swept past its deadline while this instance still held it: its unwritten charges are forgiven', {
          event: 'key_lease_lost',
          payer: `key:${lease.keyId}`,
          lease: lease.id,
          forgiven: lease.pending.toString(),
        });
        lease.closing = true;
        lease.held = 0n;
        lease.cap = 0n;
        lease.pending = 0n;
        forget(lease);
        return;
      }
      if (result.kind !== 'applied') throw new InternalError(`a lease write was refused twice (${result.kind}): it is left as it was`);
      lease.held = newHeld;
      lease.pending -= charge;
      // Charges that landed during the write are no older than its start: dated from the old first charge, they
      // were due at once, and back-to-back calls each started another write on the key's item.
      if (lease.pending === 0n) delete lease.pendingSince;
      else lease.pendingSince = now;
      lease.available = result.available;
      if (until !== undefined) {
        lease.until = until;
        lease.checkedAt = now;
      }
      if (lease.closing && lease.calls === 0) await retire(lease);
    } catch (error) {
      if (unsure) {
        // Not known whether the write landed (and the read-back failed too): count only what holds either way
        // (the cap set above), serve no new call, and leave what the ledger holds for it to its deadline.
        lease.closing = true;
        lease.orphan = true;
      }
      throw error;
    } finally {
      if (!lease.orphan) lease.cap = lease.held;
    }
  };

  /** At most one write per lease at a time; a caller that asks while one runs gets that one. */
  const writeOnce = (lease: Lease): Promise<void> => {
    lease.writing ??= write(lease).finally(() => {
      delete lease.writing;
    });
    return lease.writing;
  };

  const due = (lease: Lease, now: number): boolean =>
    (lease.calls === 0 && (lease.closing || now - lease.lastUsed >= o.idleSeconds)) ||
    (!lease.closing && now - lease.checkedAt >= o.refreshSeconds) ||
    (lease.pendingSince !== undefined && now - lease.pendingSince >= o.flushSeconds) ||
    // Running low: worth a write only if it frees something (charges to write) or can grow.
    (!lease.closing && free(lease) * 4n < lease.held && (lease.pending * 4n >= lease.held || target(lease.available + lease.held - lease.pending, lease.unit) > lease.held));

  /** Everything due, for every lease, in the background: a thawed instance catches up here. */
  const tick = (): void => {
    const now = ctx.now();
    for (const lease of leases.values()) {
      if (lease.writing === undefined && due(lease, now)) writeOnce(lease).catch((error: unknown) => logFailure(lease, 'write', error));
    }
  };

  const grant = async (keyId: string, unit: bigint, available: bigint, init: LedgerInit): Promise<void> => {
    const size = target(available, unit);
    if (!enough(size, unit) || granting.has(keyId)) return;
    granting.add(keyId);
    const id = `${LEASE_PREFIX}${instance}-${(serial += 1)}`;
    try {
      const now = ctx.now();
      const reserved = await base.reserve(keyId, size, id, init, leaseSeconds);
      const lease: Lease = { keyId, id, held: size, cap: size, until: now + leaseSeconds, checkedAt: now, pending: 0n, inFlight: 0n, calls: 0, lastUsed: now, unit, available: reserved.available ?? 0n, closing: false, writes: 0 };
      const old = serving.get(keyId);
      if (old) old.closing = true;
      leases.set(id, lease);
      serving.set(keyId, lease);
      if (old && old.calls === 0) await writeOnce(old);
      if (o.timer !== false && timer === undefined) {
        timer = setInterval(tick, 1_000);
        timer.unref();
      }
    } catch (error) {
      // Refused (a concurrent call took the budget, the key was revoked): calls keep per-call holds.
      if ((error as { code?: string }).code === KEY_ERROR_CODES.insufficientBudget) return;
      logFailure({ keyId, id }, 'grant', error);
    } finally {
      granting.delete(keyId);
    }
  };

  /** The lease a call may be served from now, if any (without I/O). */
  const usable = (lease: Lease | undefined, amount: bigint, init: LedgerInit, holdSeconds: number, now: number): boolean =>
    lease !== undefined &&
    !lease.closing &&
    now - lease.checkedAt < o.trustSeconds &&
    now + holdSeconds <= lease.until &&
    (init.expiresAt === undefined || now < init.expiresAt) &&
    free(lease) >= amount;

  const serve = (lease: Lease, amount: bigint, keyId: string, reservationId: string, now: number): Reservation => {
    lease.inFlight += amount;
    lease.calls += 1;
    lease.lastUsed = now;
    holds.set(reservationId, { lease, amount });
    return { keyId, reservationId, amount };
  };

  const finish = (keyId: string, reservationId: string, reserved: bigint, actual: bigint): Settlement | undefined => {
    const hold = holds.get(reservationId);
    if (!hold || hold.lease.keyId !== keyId) return undefined;
    if (hold.amount !== reserved) throw new InternalError('reservation finalized with a different amount than was reserved');
    holds.delete(reservationId);
    const { lease } = hold;
    const charge = min(actual, reserved);
    lease.inFlight -= reserved;
    lease.calls -= 1;
    lease.lastUsed = ctx.now();
    if (charge > 0n) {
      lease.pending += charge;
      lease.pendingSince ??= lease.lastUsed;
    }
    tick();
    return { applied: true, charged: charge, released: reserved - charge, uncharged: actual - charge };
  };

  const reserve = async (keyId: string, amount: bigint, reservationId: string, init: LedgerInit = {}, holdSeconds = DEFAULT_HOLD_SECONDS): Promise<Reservation> => {
    checkIds(keyId, reservationId);
    checkAmount(amount, 'reservation amount');
    if (isLeaseId(reservationId)) throw new InternalError('a call reservation id may not look like a lease id');
    const open = holds.get(reservationId);
    if (open) {
      // A retried reserve: the same hold stands.
      if (open.amount === amount && open.lease.keyId === keyId) return { keyId, reservationId, amount };
      throw new InternalError('reservation id reused with a different amount');
    }
    tick();
    let now = ctx.now();
    let waited = false;
    let lease = serving.get(keyId);
    if (lease && amount > lease.unit) lease.unit = amount;
    if (lease && !usable(lease, amount, init, holdSeconds, now) && !lease.closing && holdSeconds <= o.maxCallSeconds && free(lease) >= amount) {
      // Trusted too long ago, or too close to its deadline: one round trip re-checks and extends it.
      await writeOnce(lease).catch((error: unknown) => logFailure(lease!, 'refresh', error));
      waited = true;
      now = ctx.now();
      lease = serving.get(keyId);
    }
    if (lease && usable(lease, amount, init, holdSeconds, now)) {
      counts[waited ? 'waited' : 'served'] += 1;
      return serve(lease, amount, keyId, reservationId, now);
    }
    counts.perCall += 1;

    let reservation: Reservation;
    try {
      reservation = await base.reserve(keyId, amount, reservationId, init, holdSeconds);
    } catch (error) {
      // Budget this instance holds but cannot use for this call is not lost to it: return it and try once more.
      if ((error as { code?: string }).code !== KEY_ERROR_CODES.insufficientBudget || !lease || lease.held - lease.inFlight - lease.pending <= 0n) throw error;
      lease.closing = true;
      await writeOnce(lease);
      reservation = await base.reserve(keyId, amount, reservationId, init, holdSeconds);
    }
    // A cold key on this instance: lease a slice for the calls that follow, off this call's path.
    if (reservation.available !== undefined && holdSeconds <= o.maxCallSeconds && (!lease || lease.closing || serving.get(keyId) === undefined)) {
      void grant(keyId, amount, reservation.available, init);
    }
    return reservation;
  };

  return {
    reserve,
    settle: async (keyId, reservationId, reserved, actual) => {
      checkAmount(actual, 'actual amount');
      return finish(keyId, reservationId, reserved, actual) ?? base.settle(keyId, reservationId, reserved, actual);
    },
    release: async (keyId, reservationId, reserved) => finish(keyId, reservationId, reserved, 0n) ?? base.release(keyId, reservationId, reserved),
    flush: async () => {
      await Promise.all([...leases.values()].map((lease) => (lease.pending > 0n || lease.calls === 0 ? writeOnce(lease) : Promise.resolve())));
    },
    close: async () => {
      const all = [...leases.values()];
      for (const lease of all) lease.closing = true;
      // Each failed return is logged with its key; the lease's budget then comes back at its deadline.
      await Promise.all(all.map((lease) => writeOnce(lease).catch((error: unknown) => logFailure(lease, 'return on close', error))));
    },
    stats: () => {
      let calls = 0;
      let unwritten = 0n;
      let writing = granting.size;
      for (const lease of leases.values()) {
        calls += lease.calls;
        unwritten += lease.pending;
        if (lease.writing) writing += 1;
      }
      return { leases: leases.size, calls, unwritten, writing, ...counts };
    },
  };
};
