/**
 * The one write a budget lease makes after its grant: charge what its calls spent, resize what it holds, and
 * (unless it is winding down) push its deadline out and re-check the key — all in ONE conditional UpdateItem on
 * the key's item. A lease is an ordinary reservation (`res_<leaseId>`), so the grant is `reserve`, the final
 * return is `settle`, and a dead instance's lease is swept at its deadline like any dead call's hold.
 *
 * The amounts move as settle's do, so budget = spent + reserved + available holds after every write:
 *   spent += charge;  reserved += newHeld − held;  available −= grow,  grow = newHeld − (held − charge).
 * `available >= :grow` makes growth as safe as a reservation (a shrink has grow ≤ 0 and always passes).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { InternalError } from '../../layers/core/errors.ts';
import { checkAmount, isConditionFailure, readItem, type LedgerContext } from './ledger-context.ts';
import { atomic, LEDGER_ATTR as A, ledgerFromItem, ledgerKey, NEVER, reservationAttribute } from './ledger-item.ts';

export interface Rebalance {
  readonly keyId: string;
  readonly leaseId: string;
  /** What the ledger holds for the lease now. */
  readonly held: bigint;
  /** Spent by its calls since the last write; at most `held`. */
  readonly charge: bigint;
  /** What it holds after this write; covers its calls still running. */
  readonly newHeld: bigint;
  /** A new deadline, checking that the key is still live (not revoked, not expired); absent: a wind-down, no check. */
  readonly until?: number;
  /** This write's serial number for the lease (one writer, increasing): recorded on it, so a write whose answer
   *  was lost can be told applied or not by reading it back. */
  readonly serial: number;
}

export type RebalanceResult =
  | { readonly kind: 'applied'; readonly available: bigint }
  /** The lease is gone from the ledger: swept past its deadline (this instance was frozen or cut off that long). */
  | { readonly kind: 'lost' }
  /** The key was revoked or expired: the lease may only wind down. */
  | { readonly kind: 'dead'; readonly revoked: boolean }
  /** The key has less available than the growth asked for. */
  | { readonly kind: 'short'; readonly available: bigint };

export const rebalance = async (ctx: LedgerContext, r: Rebalance): Promise<RebalanceResult> => {
  checkAmount(r.held, 'lease amount');
  checkAmount(r.newHeld, 'lease amount');
  if (r.charge < 0n || r.charge > r.held) throw new InternalError('a lease cannot charge more than it holds');
  const grow = r.newHeld - (r.held - r.charge);
  const now = ctx.now();
  const extend = r.until !== undefined;
  const sets = [`${A.spent} = ${A.spent} + :charge`, `${A.reserved} = ${A.reserved} + :dres`, `${A.available} = ${A.available} - :grow`, '#r.amount = :new', '#r.n = :serial', ...(extend ? ['#r.#until = :until'] : [])];
  // A flat AND chain (dynalite's parser backtracks on nesting; see ledger-reserve.ts).
  const condition = ['#r.amount = :held', `${A.available} >= :grow`, ...(extend ? [`${A.revoked} = :false`, `${A.usableUntil} > :now`] : [])].join(' AND ');
  try {
    const result = await ctx.client.send(
      new UpdateCommand({
        TableName: ctx.tableName,
        Key: ledgerKey(r.keyId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#r': reservationAttribute(r.leaseId), ...(extend ? { '#until': 'until' } : {}) },
        ExpressionAttributeValues: {
          ':charge': r.charge,
          ':dres': r.newHeld - r.held,
          ':grow': grow,
          ':new': r.newHeld,
          ':held': r.held,
          ':serial': r.serial,
          ...(extend ? { ':until': r.until, ':false': false, ':now': now } : {}),
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { kind: 'applied', available: atomic(result.Attributes?.[A.available]) };
  } catch (error) {
    // Why, or (the answer lost: a timeout, a dropped connection) whether it landed, from a consistent read.
    const item = await readItem(ctx, r.keyId);
    const ledger = ledgerFromItem(r.keyId, item, now);
    const lease = ledger?.reservations.find((x) => x.reservationId === r.leaseId);
    const serial = (item?.[reservationAttribute(r.leaseId)] as { n?: unknown } | undefined)?.n;
    if (!isConditionFailure(error)) {
      if (lease && Number(serial) === r.serial) return { kind: 'applied', available: ledger!.available };
      throw error;
    }
    if (!ledger || !lease) return { kind: 'lost' };
    if (lease.amount !== r.held) throw new InternalError('a lease was rebalanced from an amount it does not hold');
    if (ledger.revoked || Number(item?.[A.usableUntil] ?? NEVER) <= now) return { kind: 'dead', revoked: ledger.revoked };
    return { kind: 'short', available: ledger.available };
  }
};
