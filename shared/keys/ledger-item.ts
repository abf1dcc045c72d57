/**
 * One DynamoDB item per key, `pk = key#<keyId>`. Amounts are USDC atomic units stored as numbers:
 *   budget     what the key may ever spend
 *   reserved   held by calls in flight
 *   spent      settled
 *   available  budget − spent − reserved, maintained by every write, because a condition cannot do
 *              arithmetic: `available >= :amount` is what makes a reservation safe under any concurrency
 *   revoked    checked by `reserve` in the same round trip
 *   res_<id>   one map {amount, at, until} per open reservation; settle and release remove it under a
 *              condition, so each reservation is finalized at most once however often it is retried; `until`
 *              is the deadline of the call it funds, after which it is presumed dead (see `isStale`)
 *   expiresAt  the key's `exp` plus a retention period (TTL); an expired item is treated as absent
 *   usableUntil  the key's `exp` (NEVER without one): reserve refuses from then on, in its one round trip
 */
import { isExpired, PARTITION_KEY, TTL_ATTRIBUTE } from '../../layers/core/tables.ts';

export const LEDGER_ATTR = {
  budget: 'budget',
  reserved: 'reserved',
  spent: 'spent',
  available: 'available',
  revoked: 'revoked',
  createdAt: 'createdAt',
  expiresAt: TTL_ATTRIBUTE,
  usableUntil: 'usableUntil',
} as const;

/** `usableUntil` of a key without `exp`. Always present, so reserve's condition is a flat AND chain (see there). */
export const NEVER = Number.MAX_SAFE_INTEGER;

const RESERVATION_PREFIX = 'res_';

/** Ledgers outlive their key (TTL = exp + this) so `keys show` can still explain what happened. */
export const LEDGER_RETENTION_SECONDS = 30 * 24 * 3600;

export const ledgerKey = (keyId: string): { [PARTITION_KEY]: string } => ({ [PARTITION_KEY]: `key#${keyId}` });

/** Reservation ids become attribute names: the same safe alphabet as key ids. */
export const RESERVATION_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
export const reservationAttribute = (reservationId: string): string => `${RESERVATION_PREFIX}${reservationId}`;

export interface OpenReservation {
  readonly reservationId: string;
  readonly amount: bigint;
  /** Epoch seconds when it was made. */
  readonly at: number;
  /** Epoch seconds: the deadline of the call it funds (absent on holds made before deadlines existed). */
  readonly until?: number;
}

export interface Ledger {
  readonly keyId: string;
  readonly budget: bigint;
  readonly reserved: bigint;
  readonly spent: bigint;
  readonly available: bigint;
  readonly revoked: boolean;
  readonly expiresAt?: number;
  readonly createdAt?: number;
  readonly reservations: readonly OpenReservation[];
}

/** DynamoDB numbers come back as numbers (or NumberValue with `wrapNumbers`); both stringify exactly below 2⁵³. */
export const atomic = (value: unknown): bigint => (value === undefined || value === null ? 0n : BigInt(String(value)));

export const ledgerFromItem = (keyId: string, item: Record<string, unknown> | undefined, nowSeconds: number): Ledger | undefined => {
  if (!item || isExpired(item as { [TTL_ATTRIBUTE]?: number }, nowSeconds)) return undefined;
  const reservations = Object.entries(item)
    .filter(([name]) => name.startsWith(RESERVATION_PREFIX))
    .map(([name, value]) => {
      const { amount, at, until } = value as { amount?: unknown; at?: unknown; until?: unknown };
      return {
        reservationId: name.slice(RESERVATION_PREFIX.length),
        amount: atomic(amount),
        at: Number(at ?? 0),
        ...(until === undefined ? {} : { until: Number(until) }),
      };
    });
  const expiresAt = item[LEDGER_ATTR.expiresAt];
  const createdAt = item[LEDGER_ATTR.createdAt];
  return {
    keyId,
    budget: atomic(item[LEDGER_ATTR.budget]),
    reserved: atomic(item[LEDGER_ATTR.reserved]),
    spent: atomic(item[LEDGER_ATTR.spent]),
    available: atomic(item[LEDGER_ATTR.available]),
    revoked: item[LEDGER_ATTR.revoked] === true,
    ...(expiresAt === undefined ? {} : { expiresAt: Number(expiresAt) }),
    ...(createdAt === undefined ? {} : { createdAt: Number(createdAt) }),
    reservations,
  };
};

/**
 * A reservation older than this belongs to a call that can no longer be running (a Lambda lives at most
 * 15 minutes; streams end before that). Only for holds without a deadline of their own (made before `until`).
 */
export const STALE_RESERVATION_SECONDS = 3600;

/**
 * How long a hold lives unless its call says otherwise: the longest call, a streamed text generation (the
 * inference function's 15 minutes) plus a minute's margin for its settlement.
 */
export const DEFAULT_HOLD_SECONDS = 16 * 60;

/** A hold whose call is past its deadline: the function that made it died between reserve and settle. */
export const isStale = (reservation: OpenReservation, now: number): boolean =>
  reservation.until === undefined ? reservation.at <= now - STALE_RESERVATION_SECONDS : reservation.until <= now;
