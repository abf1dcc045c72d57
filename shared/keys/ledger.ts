/**
 * A key's ledger, bound to an injected DynamoDBDocumentClient. `reserve` before the call, then exactly one of
 * `settle` (metered amount) or `release` (failure, cancel) after it, both keyed by the same reservation id.
 * With `leases`, warm keys are served from budget leases (`leases.ts`) behind the same three calls.
 */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../layers/core/errors.ts';
import { PARTITION_KEY } from '../../layers/core/tables.ts';
import { checkAmount, checkIds, isConditionFailure, readItem, type LedgerContext } from './ledger-context.ts';
import { LEDGER_ATTR as A, LEDGER_RETENTION_SECONDS, ledgerFromItem, ledgerKey, NEVER, type Ledger } from './ledger-item.ts';
import { reserve, type LedgerInit, type Reservation } from './ledger-reserve.ts';
import { release, releaseStale, settle, type Settlement } from './ledger-settle.ts';
import { createLeaseManager, type LeaseOptions, type LeaseStats } from './leases.ts';

export interface KeyLedgerOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch seconds; injectable so expiry is testable without waiting. */
  readonly now?: () => number;
  /** Serve warm keys from budget leases (see leases.ts); without it, every call holds and settles on the key's item. */
  readonly leases?: LeaseOptions | false;
}

export interface KeyLedger {
  /** `holdSeconds`: the deadline of the call the hold funds (default 16 minutes); past it the hold is presumed dead. */
  reserve(keyId: string, amount: bigint, reservationId: string, init?: LedgerInit, holdSeconds?: number): Promise<Reservation>;
  settle(keyId: string, reservationId: string, reserved: bigint, actual: bigint): Promise<Settlement>;
  release(keyId: string, reservationId: string, reserved: bigint): Promise<Settlement>;
  releaseStale(keyId: string, maxAgeSeconds?: number): Promise<number>;
  getLedger(keyId: string): Promise<Ledger | undefined>;
  /** Creates the ledger up front (the CLI does; `reserve` would otherwise create it from the claims). */
  create(keyId: string, init: { readonly budget: bigint; readonly expiresAt?: number }): Promise<void>;
  /** Idempotent; works before the key's first use too (the ledger is created revoked). */
  revoke(keyId: string): Promise<void>;
  /** Writes what lease-funded calls spent that is not yet in the ledger (a no-op without leases). */
  flush(): Promise<void>;
  /** Returns this instance's leases (those whose calls have ended; the rest when they end). */
  close(): Promise<void>;
  /** This instance's open leases (zeros without leases). */
  leaseStats(): LeaseStats;
}

const create = async (ctx: LedgerContext, keyId: string, init: { readonly budget: bigint; readonly expiresAt?: number }): Promise<void> => {
  checkIds(keyId);
  checkAmount(init.budget, 'budget');
  try {
    await ctx.client.send(
      new PutCommand({
        TableName: ctx.tableName,
        Item: {
          ...ledgerKey(keyId),
          [A.budget]: init.budget,
          [A.available]: init.budget,
          [A.reserved]: 0n,
          [A.spent]: 0n,
          [A.revoked]: false,
          [A.createdAt]: ctx.now(),
          [A.usableUntil]: init.expiresAt ?? NEVER,
          ...(init.expiresAt === undefined ? {} : { [A.expiresAt]: init.expiresAt + LEDGER_RETENTION_SECONDS }),
        },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) throw new ConflictError('ledger_exists', `A ledger for key ${keyId} already exists.`, { cause: error });
    throw error;
  }
};

const revoke = async (ctx: LedgerContext, keyId: string): Promise<void> => {
  checkIds(keyId);
  await ctx.client.send(
    new UpdateCommand({
      TableName: ctx.tableName,
      Key: ledgerKey(keyId),
      UpdateExpression: [
        `SET ${A.revoked} = :true`,
        `${A.budget} = if_not_exists(${A.budget}, :zero)`,
        `${A.available} = if_not_exists(${A.available}, :zero)`,
        `${A.reserved} = if_not_exists(${A.reserved}, :zero)`,
        `${A.spent} = if_not_exists(${A.spent}, :zero)`,
        `${A.createdAt} = if_not_exists(${A.createdAt}, :now)`,
        `${A.usableUntil} = if_not_exists(${A.usableUntil}, :never)`,
      ].join(', '),
      ExpressionAttributeValues: { ':true': true, ':zero': 0n, ':now': ctx.now(), ':never': NEVER },
    }),
  );
};

export const createKeyLedger = (options: KeyLedgerOptions): KeyLedger => {
  const ctx: LedgerContext = { client: options.client, tableName: options.tableName, now: options.now ?? (() => Math.floor(Date.now() / 1000)) };
  const perCall = {
    reserve: (keyId: string, amount: bigint, reservationId: string, init?: LedgerInit, holdSeconds?: number) => reserve(ctx, keyId, amount, reservationId, init, holdSeconds),
    settle: (keyId: string, reservationId: string, reserved: bigint, actual: bigint) => settle(ctx, keyId, reservationId, reserved, actual),
    release: (keyId: string, reservationId: string, reserved: bigint) => release(ctx, keyId, reservationId, reserved),
  };
  const leases = options.leases ? createLeaseManager(ctx, perCall, options.leases) : undefined;
  return {
    ...(leases ? { reserve: leases.reserve, settle: leases.settle, release: leases.release } : perCall),
    flush: async () => leases?.flush(),
    close: async () => leases?.close(),
    leaseStats: () => leases?.stats() ?? { leases: 0, calls: 0, unwritten: 0n, writing: 0, served: 0, waited: 0, perCall: 0 },
    releaseStale: (keyId, maxAgeSeconds) => releaseStale(ctx, keyId, maxAgeSeconds),
    getLedger: async (keyId) => {
      checkIds(keyId);
      return ledgerFromItem(keyId, await readItem(ctx, keyId), ctx.now());
    },
    create: (keyId, init) => create(ctx, keyId, init),
    revoke: (keyId) => revoke(ctx, keyId),
  };
};
