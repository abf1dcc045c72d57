/**
 * The replay guard: an x402 authorization's nonce is claimed in DynamoDB before the model runs, so a signature that
 * is in flight or already spent is refused, and of N concurrent replays exactly one is served.
 *
 * One item per nonce, single-item conditional writes only (dynalite has no transactions):
 *   claim      put if absent, expired, released, or in flight past its call's deadline → in_flight (with a deadline)
 *   keep       update if still ours and in_flight: drop the deadline (a settlement is owed) → in_flight, for good
 *   markSpent  update if still ours and in_flight               → spent (kept until the authorization lapses)
 *   release    update if still ours and in_flight               → released (the same signature may be retried)
 * An in-flight claim carries the deadline of the call it funds: a claim whose request died (a crash, a request that
 * never reached its charge) frees itself once that deadline has passed and someone needs the nonce. A failed
 * settlement after the model ran is NOT released and loses its deadline (`keep`): the authorization stays in flight
 * while the settlement is retried, because it may still move money.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ComposeError } from '../core/errors.ts';
import { PARTITION_KEY, TTL_ATTRIBUTE, isExpired } from '../core/tables.ts';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import type { VerifiedPayment } from './verified.ts';

export const NONCE_STATE = { inFlight: 'in_flight', spent: 'spent', released: 'released' } as const;
export type NonceState = (typeof NONCE_STATE)[keyof typeof NONCE_STATE];

export interface NonceRecord {
  readonly [PARTITION_KEY]: string;
  readonly state: NonceState;
  readonly claimId: string;
  readonly payer: string;
  readonly network: string;
  readonly scheme: string;
  readonly claimedAt: number;
  readonly [TTL_ATTRIBUTE]: number;
  /** Epoch seconds: the funded call's deadline; absent once a settlement is owed (the claim then never lapses early). */
  readonly deadline?: number;
  readonly transaction?: string;
  /** Atomic units the settlement moved. */
  readonly amount?: string;
  readonly settledAt?: number;
}

export interface NonceClaim {
  readonly key: string;
  readonly claimId: string;
}

/** The parts of a verified payment the guard records. */
export type NonceSubject = Pick<VerifiedPayment, 'nonceKey' | 'payer' | 'network' | 'scheme' | 'validBefore'>;

export interface NonceStore {
  /**
   * Claims the payment's nonce or refuses it with `payment_nonce_reused`. `deadline` (epoch seconds) is when the
   * funded call must be over; without it the claim lasts until the authorization lapses.
   */
  claim(payment: NonceSubject, deadline?: number): Promise<NonceClaim>;
  /** A settlement is owed: the claim stays in flight until it is spent, however long the retries take. */
  keep(claim: NonceClaim): Promise<void>;
  markSpent(claim: NonceClaim, transaction: string, amount?: string): Promise<void>;
  /** Gives the nonce back after a failure before settlement. A no-op if the claim is no longer in flight. */
  release(claim: NonceClaim): Promise<void>;
  get(key: string): Promise<NonceRecord | undefined>;
}

/** Our claim changed under us (it expired and someone else claimed it): settlement bookkeeping cannot proceed. */
export class NonceClaimLostError extends ComposeError {
  override readonly name = 'NonceClaimLostError';
  constructor(key: string, options?: { cause?: unknown }) {
    super(500, 'api_error', 'payment_claim_lost', `The nonce claim ${key} is no longer held by this request.`, options);
  }
}

export interface NonceStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Epoch seconds. */
  readonly now?: () => number;
  /** How long a record outlives its authorization, so clock skew cannot reopen a nonce. */
  readonly graceSeconds?: number;
  /** Caps the TTL of authorizations valid for absurdly long; the chain's own nonce state still guards after it. */
  readonly maxTtlSeconds?: number;
}

const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException =>
  error instanceof ConditionalCheckFailedException || (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

export const createNonceStore = (options: NonceStoreOptions): NonceStore => {
  const { client, tableName } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const grace = options.graceSeconds ?? 3600;
  const maxTtl = options.maxTtlSeconds ?? 30 * 24 * 3600;

  const whileOurs = async (claim: NonceClaim, state: NonceState, extra: Record<string, unknown>, remove = false): Promise<void> => {
    const sets = Object.keys(extra).map((name) => `#${name} = :${name}`);
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { [PARTITION_KEY]: claim.key },
        UpdateExpression: `SET #state = :state${sets.length ? `, ${sets.join(', ')}` : ''}${remove ? ' REMOVE #deadline' : ''}`,
        ConditionExpression: 'claimId = :claimId AND #state = :inFlight',
        ExpressionAttributeNames: {
          '#state': 'state',
          ...(remove ? { '#deadline': 'deadline' } : {}),
          ...Object.fromEntries(Object.keys(extra).map((n) => [`#${n}`, n])),
        },
        ExpressionAttributeValues: {
          ':state': state,
          ':claimId': claim.claimId,
          ':inFlight': NONCE_STATE.inFlight,
          ...Object.fromEntries(Object.entries(extra).map(([n, v]) => [`:${n}`, v])),
        },
      }),
    );
  };

  return {
    async claim(payment, deadline) {
      const at = now();
      const claim = { key: payment.nonceKey, claimId: randomUUID() };
      const record: NonceRecord = {
        [PARTITION_KEY]: claim.key,
        state: NONCE_STATE.inFlight,
        claimId: claim.claimId,
        payer: payment.payer,
        network: payment.network,
        scheme: payment.scheme,
        claimedAt: at,
        ...(deadline === undefined ? {} : { deadline }),
        [TTL_ATTRIBUTE]: Math.min(Math.max(payment.validBefore, at), at + maxTtl) + grace,
      };
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: record,
            // TTL deletion is lazy (and absent in dynalite): an expired record counts as absent.
            // A claim in flight past its call's deadline belongs to a request that died: it is taken over.
            ConditionExpression: `attribute_not_exists(${PARTITION_KEY}) OR ${TTL_ATTRIBUTE} <= :now OR #state = :released OR (#state = :inFlight AND #deadline <= :now)`,
            ExpressionAttributeNames: { '#state': 'state', '#deadline': 'deadline' },
            ExpressionAttributeValues: { ':now': at, ':released': NONCE_STATE.released, ':inFlight': NONCE_STATE.inFlight },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        throw paymentRefused(PAYMENT_ERROR.nonceReused, 'This payment authorization was already used (in flight or spent); sign a new one.');
      }
      return claim;
    },

    async keep(claim) {
      try {
        await whileOurs(claim, NONCE_STATE.inFlight, {}, true);
      } catch (error) {
        if (isConditionFailure(error)) throw new NonceClaimLostError(claim.key, { cause: error });
        throw error;
      }
    },

    async markSpent(claim, transaction, amount) {
      try {
        await whileOurs(claim, NONCE_STATE.spent, { transaction, settledAt: now(), ...(amount === undefined ? {} : { amount }) }, true);
      } catch (error) {
        if (isConditionFailure(error)) throw new NonceClaimLostError(claim.key, { cause: error });
        throw error;
      }
    },

    async release(claim) {
      try {
        await whileOurs(claim, NONCE_STATE.released, {});
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async get(key) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { [PARTITION_KEY]: key }, ConsistentRead: true }));
      const record = Item as NonceRecord | undefined;
      return record && !isExpired(record, now()) ? record : undefined;
    },
  };
};
