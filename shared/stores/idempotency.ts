import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError, UnprocessableError } from '../../layers/core/errors.ts';
import { loadBody, storeBody, type BlobStore } from './overflow.ts';
import { isExpired } from '../../layers/core/tables.ts';

/** A finished answer, kept so a retry with the same key gets exactly it again (streams keep their SSE transcript). */
export interface StoredResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type Claim = { readonly kind: 'claimed'; readonly scope: string } | { readonly kind: 'replay'; readonly result: StoredResult };

export interface IdempotencyStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly blobs: BlobStore;
  /** How long a key is remembered (Stripe keeps them for 24 hours). */
  readonly ttlSeconds?: number;
  /**
   * How long an in-flight claim blocks duplicates before it is presumed dead, unless its claim says (the
   * deadline of the call it guards, `HOLD_SECONDS`); by default the longest call's.
   */
  readonly lockSeconds?: number;
  /** Epoch seconds; injectable so a claim's deadline is testable without waiting. */
  readonly now?: () => number;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/**
 * `x-idempotency-key` in the manner of Stripe: keys are scoped to the caller and the route; the same key and body
 * replays the stored result, a concurrent duplicate gets 409, the same key with a different body gets 422.
 */
export const createIdempotencyStore = ({ doc, tableName, blobs, ttlSeconds = 86_400, lockSeconds = 960, now: clock = () => Math.floor(Date.now() / 1000) }: IdempotencyStoreOptions) => {
  const get = async (key: string) => (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: key }, ConsistentRead: true }))).Item;

  return {
    /** A claim whose call is past its deadline (`lockFor` seconds) is taken over: its call died. */
    claim: async (caller: string, route: string, idempotencyKey: string, body: string, lockFor = lockSeconds): Promise<Claim> => {
      const scope = `idem#${sha256(`${caller}\n${route}\n${idempotencyKey}`)}`;
      const bodyHash = sha256(body);
      const now = clock();
      try {
        await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: scope, status: 'in_progress', bodyHash, lockedUntil: now + lockFor, expiresAt: now + ttlSeconds },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now OR (#status = :open AND lockedUntil <= :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':now': now, ':open': 'in_progress' },
          }),
        );
        return { kind: 'claimed', scope };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const existing = await get(scope);
      if (!existing || isExpired(existing, now)) throw new ConflictError('idempotency_key_in_use', 'A request with this idempotency key is being processed; retry shortly.');
      if (existing.bodyHash !== bodyHash) {
        throw new UnprocessableError('idempotency_key_reused', 'This idempotency key was already used with a different request body.', { param: 'x-idempotency-key' });
      }
      if (existing.status !== 'completed') {
        throw new ConflictError('idempotency_key_in_use', 'A request with this idempotency key is being processed; retry shortly.', { headers: { 'retry-after': '1' } });
      }
      const result = await loadBody<StoredResult>(blobs, existing);
      if (!result) throw new ConflictError('idempotency_key_in_use', 'The stored result for this idempotency key is unavailable.');
      return { kind: 'replay', result };
    },

    complete: async (scope: string, result: StoredResult): Promise<void> => {
      const stored = await storeBody(blobs, `idempotency/${scope.slice(5)}.json`, result);
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { pk: scope },
          UpdateExpression: 'SET #status = :done, body = :body, bodyKey = :bodyKey REMOVE lockedUntil',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':done': 'completed', ':body': stored.body ?? null, ':bodyKey': stored.bodyKey ?? null },
        }),
      );
    },

    /** Frees the key when the call failed without a result worth replaying, so the client may retry it. */
    release: async (scope: string): Promise<void> => {
      await doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: scope } }));
    },
  };
};

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
