/**
 * What a payer already has in flight: the sum of the authorizations verified but not yet settled or released, per
 * payer, asset and network. A new authorization is served only while balance − in flight ≥ its amount, so a wallet
 * cannot be served N calls at once on a balance that pays for one (N distinct authorizations each pass a balance
 * check on their own; only one of their settlements could succeed).
 *
 * One DynamoDB item per payer+asset+network, single-item conditional writes only (dynalite has no transactions):
 *   reserve  SET h_<id> = {amount, deadline}, total += amount   if h_<id> is absent AND total ≤ balance − amount
 *   release  REMOVE h_<id>, total −= its amount                 if h_<id> is present (so it happens once)
 * Every hold carries the deadline of the call it funds: when a reservation is refused, holds past their deadline
 * (their request died before releasing them) are released and the reservation is tried again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, NumberValue, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Address } from 'viem';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../../shared/stores/tables.ts';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import type { Network } from './schemas.ts';

/** One payer's reservation: enough to release it exactly once, from any process (the settlement worker too). */
export interface ExposureHold {
  readonly key: string;
  readonly id: string;
  /** Atomic units, as a decimal string (holds travel through the settlement queue as JSON). */
  readonly amount: string;
  /** Epoch seconds. */
  readonly deadline: number;
}

export interface ReserveInput {
  readonly network: Network;
  readonly asset: Address;
  readonly payer: Address;
  /** Unique per reservation (the nonce claim's id). */
  readonly id: string;
  readonly amount: bigint;
  /** The payer's on-chain balance of `asset`, read just before. */
  readonly balance: bigint;
  /** Epoch seconds when the funded call must be over. */
  readonly deadline: number;
}

export interface ExposureStore {
  /** Holds `amount` against the payer's balance, or refuses with 402 `payment_funds_in_flight`. */
  reserve(input: ReserveInput): Promise<ExposureHold>;
  /** Gives a hold back; a no-op when it was already released (or freed after its deadline). */
  release(hold: ExposureHold): Promise<void>;
  /** The sum currently held for a payer (expired holds included until something frees them). */
  inFlight(network: Network, asset: Address, payer: Address): Promise<bigint>;
}

export interface ExposureStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch seconds. */
  readonly now?: () => number;
}

const HOLD_PREFIX = 'h_';
/** An idle payer's item outlives its last hold's deadline by this much, then TTL removes it. */
const ITEM_GRACE_SECONDS = 3600;

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export const exposureKey = (network: Network, asset: Address, payer: Address): string =>
  `x402-exposure/${network}/${asset.toLowerCase()}/${payer.toLowerCase()}`;

const attributeOf = (id: string): string => `${HOLD_PREFIX}${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

interface StoredHold {
  readonly amount: string;
  readonly deadline: number;
}

export const createExposureStore = (options: ExposureStoreOptions): ExposureStore => {
  const { client, tableName } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));

  const release = async (hold: ExposureHold): Promise<void> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PARTITION_KEY]: hold.key },
          UpdateExpression: 'REMOVE #hold SET #total = #total - :amount',
          ConditionExpression: 'attribute_exists(#hold)',
          ExpressionAttributeNames: { '#hold': attributeOf(hold.id), '#total': 'total' },
          ExpressionAttributeValues: { ':amount': NumberValue.from(hold.amount) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  };

  const read = async (key: string): Promise<Record<string, unknown> | undefined> =>
    (await client.send(new GetCommand({ TableName: tableName, Key: { [PARTITION_KEY]: key }, ConsistentRead: true }))).Item;

  /** Releases the holds whose call is over by its deadline; returns how many were freed. */
  const freeExpired = async (key: string): Promise<{ freed: number; held: bigint }> => {
    const item = await read(key);
    if (!item) return { freed: 0, held: 0n };
    const at = now();
    let freed = 0;
    let held = 0n;
    for (const [name, value] of Object.entries(item)) {
      if (!name.startsWith(HOLD_PREFIX)) continue;
      const stored = value as StoredHold;
      if (stored.deadline <= at) {
        await release({ key, id: name.slice(HOLD_PREFIX.length), amount: stored.amount, deadline: stored.deadline });
        freed++;
      } else held += BigInt(stored.amount);
    }
    return { freed, held };
  };

  return {
    async reserve(input) {
      const key = exposureKey(input.network, input.asset, input.payer);
      const hold: ExposureHold = { key, id: input.id, amount: input.amount.toString(), deadline: input.deadline };
      const limit = input.balance - input.amount;
      const refuse = (held: bigint) =>
        paymentRefused(
          PAYMENT_ERROR.fundsInFlight,
          `The payer holds ${input.balance} atomic units and has ${held} in flight in calls not yet settled; this call needs ${input.amount} more. Wait for them to settle, or fund the wallet.`,
          { balance: input.balance.toString(), inFlight: held.toString(), needed: input.amount.toString() },
        );
      if (limit < 0n) throw refuse(0n);
      // Twice at most: once as things are, once more after freeing holds whose calls are past their deadline.
      for (let attempt = 0; ; attempt++) {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { [PARTITION_KEY]: key },
              UpdateExpression: 'SET #hold = :hold, #total = if_not_exists(#total, :zero) + :amount, #ttl = :ttl',
              ConditionExpression: 'attribute_not_exists(#hold) AND (attribute_not_exists(#total) OR #total <= :limit)',
              ExpressionAttributeNames: { '#hold': attributeOf(input.id), '#total': 'total', '#ttl': TTL_ATTRIBUTE },
              ExpressionAttributeValues: {
                ':hold': { amount: hold.amount, deadline: hold.deadline } satisfies StoredHold,
                ':zero': 0,
                ':amount': NumberValue.from(hold.amount),
                ':limit': NumberValue.from(limit.toString()),
                ':ttl': input.deadline + ITEM_GRACE_SECONDS,
              },
            }),
          );
          return hold;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const { freed, held } = await freeExpired(key);
          if (freed === 0 || attempt >= 1) throw refuse(held);
        }
      }
    },

    release,

    async inFlight(network, asset, payer) {
      const item = await read(exposureKey(network, asset, payer));
      return Object.entries(item ?? {})
        .filter(([name]) => name.startsWith(HOLD_PREFIX))
        .reduce((sum, [, value]) => sum + BigInt((value as StoredHold).amount), 0n);
    },
  };
};
