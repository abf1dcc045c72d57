/**
 * Settle or release a reservation. Each is one conditional UpdateItem that moves the amounts AND removes the
 * reservation's attribute, on the condition that the attribute still holds the reserved amount: a retried
 * settle or release (or a release racing a settle) finds it gone and changes nothing.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InternalError } from '../../layers/core/errors.ts';
import { checkAmount, checkIds, isConditionFailure, readItem, type LedgerContext } from './ledger-context.ts';
import { isStale, LEDGER_ATTR as A, ledgerFromItem, ledgerKey, reservationAttribute } from './ledger-item.ts';

export interface Settlement {
  /** False when this reservation was already settled or released (or never existed): nothing changed. */
  readonly applied: boolean;
  /** Moved to `spent`. */
  readonly charged: bigint;
  /** Returned to `available`. */
  readonly released: bigint;
  /** Metered above the reservation and NOT charged (the key never pays more than it reserved); report it. */
  readonly uncharged: bigint;
}

const finalize = async (ctx: LedgerContext, keyId: string, reservationId: string, held: bigint, charge: bigint, uncharged: bigint): Promise<Settlement> => {
  checkIds(keyId, reservationId);
  checkAmount(held, 'reserved amount');
  try {
    await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: ledgerKey(keyId),
        UpdateExpression: `SET ${A.spent} = ${A.spent} + :charge, ${A.reserved} = ${A.reserved} - :held, ${A.available} = ${A.available} + :back REMOVE #r`,
        ConditionExpression: '#r.amount = :held',
        ExpressionAttributeNames: { '#r': reservationAttribute(reservationId) },
        ExpressionAttributeValues: { ':charge': charge, ':held': held, ':back': held - charge },
      }),
    );
    return { applied: true, charged: charge, released: held - charge, uncharged };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const open = ledgerFromItem(keyId, await readItem(ctx, keyId), ctx.now())?.reservations.find((r) => r.reservationId === reservationId);
    if (open) throw new InternalError('reservation finalized with a different amount than was reserved');
    return { applied: false, charged: 0n, released: 0n, uncharged: 0n };
  }
};

/** Charge `actual` (at most `reserved`) and return the rest of the reservation to the key. */
export const settle = (ctx: LedgerContext, keyId: string, reservationId: string, reserved: bigint, actual: bigint): Promise<Settlement> => {
  checkAmount(actual, 'actual amount');
  const charge = actual < reserved ? actual : reserved;
  return finalize(ctx, keyId, reservationId, reserved, charge, actual - charge);
};

/** Return the whole reservation: the call failed, was cancelled, or was never made. */
export const release = (ctx: LedgerContext, keyId: string, reservationId: string, reserved: bigint): Promise<Settlement> =>
  finalize(ctx, keyId, reservationId, reserved, 0n, 0n);

/**
 * Release reservations past their call's deadline (or, given `maxAgeSeconds`, older than that): a function
 * that died between reserve and settle must not hold a key's budget forever.
 */
export const releaseStale = async (ctx: LedgerContext, keyId: string, maxAgeSeconds?: number): Promise<number> => {
  checkIds(keyId);
  const now = ctx.now();
  const ledger = ledgerFromItem(keyId, await readItem(ctx, keyId), now);
  const stale = ledger?.reservations.filter((r) => (maxAgeSeconds === undefined ? isStale(r, now) : r.at <= now - maxAgeSeconds)) ?? [];
  const results = await Promise.all(stale.map((r) => release(ctx, keyId, r.reservationId, r.amount)));
  return results.filter((r) => r.applied).length;
};
