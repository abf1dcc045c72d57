/**
 * Reserve a call's worst-case price: ONE conditional UpdateItem that also checks revocation and expiry and,
 * the first time a key is used, creates its ledger from the JWT's budget claim. `available >= :amount` is
 * evaluated and decremented atomically by DynamoDB, so no interleaving of reservations can overdraw a key.
 * Only a refusal costs a second round trip (a read to say why).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InternalError } from '../../layers/core/errors.ts';
import { isExpired, PARTITION_KEY } from '../../layers/core/tables.ts';
import { expiredKey, insufficientBudget, invalidKey, revokedKey } from './errors.ts';
import { checkAmount, checkIds, isConditionFailure, readItem, type LedgerContext } from './ledger-context.ts';
import { release } from './ledger-settle.ts';
import { atomic, DEFAULT_HOLD_SECONDS, isStale, LEDGER_ATTR as A, LEDGER_RETENTION_SECONDS, ledgerFromItem, ledgerKey, NEVER, reservationAttribute } from './ledger-item.ts';
import { countStaleHoldRelease } from '../../layers/core/observability/index.ts';

/** Where a ledger comes from when a key is first used: its verified claims. */
export interface LedgerInit {
  readonly budget?: bigint;
  /** The key's `exp`, epoch seconds. */
  readonly expiresAt?: number;
}

export interface Reservation {
  readonly keyId: string;
  readonly reservationId: string;
  readonly amount: bigint;
  /** What the key has left after this reservation (undefined when an identical reservation already existed). */
  readonly available?: bigint;
}

/** A refusal that, on a second look, has no cause: the ledger changed in between (a release). Try again. */
const MAX_ATTEMPTS = 3;

const update = (ctx: LedgerContext, keyId: string, amount: bigint, reservationId: string, init: LedgerInit, now: number, holdSeconds: number) => {
  const canCreate = init.budget !== undefined && amount <= init.budget;
  const until = init.expiresAt;
  // A flat AND chain, with at most one level of parentheses around it: dynalite's expression parser
  // backtracks exponentially on nesting (40 ms for three levels), and the key path must stay fast locally too.
  const live = `attribute_not_exists(#r) AND ${A.available} >= :a AND ${A.revoked} = :false AND ${A.usableUntil} > :now`;
  const sets = [
    `${A.available} = if_not_exists(${A.available}, :budget) - :a`,
    `${A.reserved} = if_not_exists(${A.reserved}, :zero) + :a`,
    `${A.budget} = if_not_exists(${A.budget}, :budget)`,
    `${A.spent} = if_not_exists(${A.spent}, :zero)`,
    `${A.revoked} = if_not_exists(${A.revoked}, :false)`,
    `${A.createdAt} = if_not_exists(${A.createdAt}, :now)`,
    `${A.usableUntil} = if_not_exists(${A.usableUntil}, :until)`,
    '#r = :res',
    ...(until === undefined ? [] : [`#exp = if_not_exists(#exp, :ttl)`]),
  ];
  return new UpdateCommand({
    TableName: ctx.tableName,
    Key: ledgerKey(keyId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    // A first use creates the ledger (its reservation attribute cannot exist yet), but only if the claimed budget covers it.
    ConditionExpression: canCreate ? `attribute_not_exists(#pk) OR (${live})` : live,
    ExpressionAttributeNames: { '#r': reservationAttribute(reservationId), ...(until === undefined ? {} : { '#exp': A.expiresAt }), ...(canCreate ? { '#pk': PARTITION_KEY } : {}) },
    ExpressionAttributeValues: {
      ':a': amount,
      ':budget': init.budget ?? 0n,
      ':zero': 0n,
      ':false': false,
      ':now': now,
      ':until': until ?? NEVER,
      ':res': { amount, at: now, until: now + holdSeconds },
      ...(until === undefined ? {} : { ':ttl': until + LEDGER_RETENTION_SECONDS }),
    },
    ReturnValues: 'UPDATED_NEW',
  });
};

/** Why the condition refused, from a consistent read; without an error or `existing`, nothing is wrong any more. */
const refusal = async (ctx: LedgerContext, keyId: string, amount: bigint, reservationId: string, init: LedgerInit, now: number) => {
  const item = await readItem(ctx, keyId);
  if (item && (isExpired(item, now) || Number(item[A.usableUntil] ?? NEVER) <= now)) return { error: expiredKey() };
  const ledger = ledgerFromItem(keyId, item, now);
  if (!ledger) {
    if (init.budget === undefined) return { error: invalidKey('this key has no ledger') };
    return amount > init.budget ? { error: insufficientBudget(init.budget, amount) } : { available: init.budget };
  }
  const existing = ledger.reservations.find((r) => r.reservationId === reservationId);
  if (existing) {
    // A retried reserve: the same reservation stands; a different amount under the same id is a caller bug.
    if (existing.amount === amount) return { existing: true as const };
    return { error: new InternalError('reservation id reused with a different amount') };
  }
  if (ledger.revoked) return { error: revokedKey() };
  if (ledger.available < amount) {
    // Budget held by calls past their deadline (their function died between reserve and settle) is freed here,
    // where it would otherwise refuse a live call: each release is the same conditional write as a call's own,
    // so a hold is freed once however many reserves sweep it. No scheduler (nor TTL) for a hold nobody awaits.
    const stale = ledger.reservations.filter((r) => isStale(r, now));
    const freed = (await Promise.all(stale.map((r) => release(ctx, keyId, r.reservationId, r.amount)))).reduce((sum, r) => sum + r.released, 0n);
    if (stale.length > 0) countStaleHoldRelease(stale.length);
    if (ledger.available + freed < amount) return { error: insufficientBudget(ledger.available + freed, amount) };
    return { available: ledger.available + freed };
  }
  return { available: ledger.available };
};

/** `holdSeconds`: how long the call this funds can live (its family's timeout plus a margin), its hold's deadline. */
export const reserve = async (
  ctx: LedgerContext,
  keyId: string,
  amount: bigint,
  reservationId: string,
  init: LedgerInit = {},
  holdSeconds = DEFAULT_HOLD_SECONDS,
): Promise<Reservation> => {
  checkIds(keyId, reservationId);
  checkAmount(amount, 'reservation amount');
  if (!Number.isSafeInteger(holdSeconds) || holdSeconds <= 0) throw new InternalError('hold seconds must be a positive integer');
  for (let attempt = 1; ; attempt++) {
    const now = ctx.now();
    try {
      const result = await ctx.client.send(update(ctx, keyId, amount, reservationId, init, now, holdSeconds));
      return { keyId, reservationId, amount, available: atomic(result.Attributes?.[A.available]) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const why = await refusal(ctx, keyId, amount, reservationId, init, now);
      if ('error' in why) throw why.error;
      if ('existing' in why) return { keyId, reservationId, amount };
      // The budget was freed between the refusal and the read (a settle or release): worth another try.
      if (attempt >= MAX_ATTEMPTS) throw insufficientBudget(why.available, amount);
    }
  }
};
