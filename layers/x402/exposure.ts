/**
 * What a payer already has in flight: the sum of the authorizations verified but not yet settled or released, per
 * payer, asset and network. A new authorization is served only while balance − in flight ≥ its amount, so a wallet
 * cannot be served N calls at once on a balance that pays for one (N distinct authorizations each pass a balance
 * check on their own; only one of their settlements could succeed).
 *
 * One DynamoDB item per payer+asset+network, single-item conditional writes only (dynalite has no transactions):
 *   reserve  SET h_<id> = {amount, deadline}, total += amount   if h_<id> is absent AND total ≤ balance − amount
 *                                                               AND no release happened since the balance was read
 *   release  REMOVE h_<id>, total −= its amount, released += 1  if h_<id> is present (so it happens once)
 * The `released` counter closes a race: a hold released after its settlement landed lowers `total` while the
 * balance read before it is still the higher one; a reservation that saw a release in between reads again.
 * Every hold carries the deadline of the call it funds: when a reservation is refused, holds past their deadline
 * (their request died before releasing them) are released and the reservation is tried again.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, NumberValue, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Address } from 'viem';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../core/tables.ts';
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
  /** Reads the payer's on-chain balance of `asset` (again, if a release happened while it was read). */
  readonly balance: () => Promise<bigint>;
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
          UpdateExpression: 'REMOVE #hold SET #total = #total - :amount, #released = if_not_exists(#released, :zero) + :one',
          ConditionExpression: 'attribute_exists(#hold)',
          ExpressionAttributeNames: { '#hold': attributeOf(hold.id), '#total': 'total', '#released': 'released' },
          ExpressionAttributeValues: { ':amount': NumberValue.from(hold.amount), ':zero': 0, ':one': 1 },
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

  const heldNow = async (key: string): Promise<bigint> =>
    Object.entries((await read(key)) ?? {})
      .filter(([name]) => name.startsWith(HOLD_PREFIX))
      .reduce((sum, [, value]) => sum + BigInt((value as StoredHold).amount), 0n);

  return {
    async reserve(input) {
      const key = exposureKey(input.network, input.asset, input.payer);
      const hold: ExposureHold = { key, id: input.id, amount: input.amount.toString(), deadline: input.deadline };
      const refuse = (balance: bigint, held: bigint) =>
        paymentRefused(
          PAYMENT_ERROR.fundsInFlight,
          `The payer holds ${balance} atomic units and has ${held} in flight in calls not yet settled; this call needs ${input.amount} more. Wait for them to settle, or fund the wallet.`,
          { balance: balance.toString(), inFlight: held.toString(), needed: input.amount.toString() },
        );
      let freedOnce = false;
      // Bounded: each round either reserves, refuses, or saw another hold released (a settlement) and reads again.
      for (let round = 0; round < 5; round++) {
        const seen = Number((await read(key))?.['released'] ?? 0);
        const balance = await input.balance();
        const limit = balance - input.amount;
        if (limit < 0n) throw refuse(balance, 0n);
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { [PARTITION_KEY]: key },
              UpdateExpression: 'SET #hold = :hold, #total = if_not_exists(#total, :zero) + :amount, #ttl = :ttl',
              ConditionExpression: `attribute_not_exists(#hold) AND (attribute_not_exists(#total) OR #total <= :limit) AND ${
                seen === 0 ? '(attribute_not_exists(#released) OR #released = :seen)' : '#released = :seen'
              }`,
              ExpressionAttributeNames: { '#hold': attributeOf(input.id), '#total': 'total', '#ttl': TTL_ATTRIBUTE, '#released': 'released' },
              ExpressionAttributeValues: {
                ':hold': { amount: hold.amount, deadline: hold.deadline } satisfies StoredHold,
                ':zero': 0,
                ':amount': NumberValue.from(hold.amount),
                ':limit': NumberValue.from(limit.toString()),
                ':seen': seen,
                ':ttl': input.deadline + ITEM_GRACE_SECONDS,
              },
            }),
          );
          return hold;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
        // Refused: because a hold was released meanwhile (read again), or for want of room. Holds past their
        // deadline are freed once (which counts as a release: the next round reads again), else it is a refusal.
        if (Number((await read(key))?.['released'] ?? 0) !== seen) continue;
        if (freedOnce) throw refuse(balance, await heldNow(key));
        freedOnce = true;
        const { freed, held } = await freeExpired(key);
        if (freed === 0) throw refuse(balance, held);
      }
      throw refuse(await input.balance(), await heldNow(key));
    },

    release,

    inFlight: (network, asset, payer) => heldNow(exposureKey(network, asset, payer)),
  };
};
