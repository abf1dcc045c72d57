import { ConditionalCheckFailedException, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CanonicalMessage } from '../../layers/providers/types.ts';
import { ConflictError, NotFoundError } from '../../layers/core/errors.ts';
import { loadBody, storeBody, type BlobStore } from './overflow.ts';
import { MAX_RECORD_ID_LENGTH, isExpired, shownId } from '../../layers/core/tables.ts';

export type StoredStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** What a stored response keeps besides its status: the object, its input items, and the conversation so far. */
export interface StoredBody {
  readonly response: Record<string, unknown>;
  readonly inputItems: readonly Record<string, unknown>[];
  /** Every message up to and including this response's output, so `previous_response_id` works on any provider. */
  readonly conversation: readonly CanonicalMessage[];
}

export interface StoredResponse extends StoredBody {
  readonly id: string;
  readonly status: StoredStatus;
}

/**
 * Internal, between `in_progress` and the final status: the generating side has claimed the outcome, so a cancel
 * from then on is refused (409) instead of being answered `cancelled` while the answer is delivered and charged.
 * Readers see it as `in_progress`.
 */
const FINISHING = 'finishing';

interface Item {
  pk: string;
  owner: string;
  status: StoredStatus | typeof FINISHING;
  createdAt: number;
  model: string;
  expiresAt: number;
  body?: string;
  bodyKey?: string;
}

export interface ResponsesStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  /**
   * A raw client for the one write every stored non-streamed call makes (`put`), its item sent already in DynamoDB's
   * wire format: its middleware stack is resolved once per command class (clients.ts `createWriteClient`), which
   * the document client cannot do. Without it, `put` goes through `doc` like every other write.
   */
  readonly writer?: DynamoDBClient;
  readonly tableName: string;
  readonly blobs: BlobStore;
  readonly retentionDays?: number;
}

const pk = (id: string): string => `resp#${id}`;

const text = (value: string): AttributeValue => ({ S: value });
const number = (value: number): AttributeValue => ({ N: String(value) });
/** Each attribute's wire encoding: an Item field without one is a type error here, not a record written without it. */
const ENCODE: { readonly [K in keyof Item]-?: (value: NonNullable<Item[K]>) => AttributeValue } = {
  pk: text,
  owner: text,
  status: text,
  createdAt: number,
  model: text,
  expiresAt: number,
  body: text,
  bodyKey: text,
};

/** An item in DynamoDB's wire format, as the document client would marshal it (absent attributes left out). */
const wireItem = (item: Item): Record<string, AttributeValue> => {
  const wire: Record<string, AttributeValue> = {};
  for (const key of Object.keys(item) as (keyof Item)[]) {
    const value = item[key];
    if (value !== undefined) wire[key] = (ENCODE[key] as (value: string | number) => AttributeValue)(value);
  }
  return wire;
};
const isConditionFailure = (error: unknown): boolean => error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException';

/** Stored Responses records. A record is visible only to the owner that created it; to anyone else it does not exist. */
export const createResponsesStore = ({ doc, writer, tableName, blobs, retentionDays = 30 }: ResponsesStoreOptions) => {
  const expiry = () => Math.floor(Date.now() / 1000) + retentionDays * 86_400;

  const read = async (id: string, owner: string, consistent = false): Promise<Item> => {
    const notFound = () => new NotFoundError('response_not_found', `No response found with id '${shownId(id)}'.`, { param: 'response_id' });
    if (id.length > MAX_RECORD_ID_LENGTH) throw notFound();
    const { Item: item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: pk(id) }, ConsistentRead: consistent }));
    if (!item || isExpired(item) || item.owner !== owner) throw notFound();
    return item as Item;
  };

  return {
    /** Opens the record as in progress, so a concurrent cancel can find it. */
    begin: async (id: string, owner: string, model: string): Promise<void> => {
      const item: Item = { pk: pk(id), owner, status: 'in_progress', createdAt: Math.floor(Date.now() / 1000), model, expiresAt: expiry() };
      await doc.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    },

    /**
     * Writes a finished response's record whole, in one write: for an answer nobody could read or cancel while
     * it was generated (a non-streamed call's id reaches its client with the answer), so it never had a record
     * in progress. Never overwrites one.
     */
    put: async (id: string, owner: string, model: string, createdAt: number, status: StoredStatus, body: StoredBody): Promise<void> => {
      const stored = await storeBody(blobs, `responses/${id}.json`, body);
      const item: Item = { pk: pk(id), owner, status, createdAt, model, expiresAt: expiry(), ...stored };
      const write = { TableName: tableName, ConditionExpression: 'attribute_not_exists(pk)' };
      if (writer) await writer.send(new PutItemCommand({ ...write, Item: wireItem(item) }));
      else await doc.send(new PutCommand({ ...write, Item: item }));
    },

    /**
     * Claims the outcome for the generating side: true when the response was still in progress, false when a
     * cancel came first (the cancel won: nothing more may be delivered or charged than before it).
     */
    finish: async (id: string): Promise<boolean> => {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(id) },
            UpdateExpression: 'SET #status = :finishing',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':finishing': FINISHING, ':open': 'in_progress' },
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return false;
      }
    },

    /** Writes the final record. Returns false when the response was cancelled meanwhile (its body is kept, its status stays). */
    complete: async (id: string, status: StoredStatus, body: StoredBody): Promise<boolean> => {
      const stored = await storeBody(blobs, `responses/${id}.json`, body);
      const values = { ':status': status, ':body': stored.body ?? null, ':bodyKey': stored.bodyKey ?? null, ':open': 'in_progress', ':finishing': FINISHING };
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(id) },
            UpdateExpression: 'SET #status = :status, body = :body, bodyKey = :bodyKey',
            ConditionExpression: '#status = :open OR #status = :finishing',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: values,
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const cancelled = { ...body, response: { ...body.response, status: 'cancelled' } };
        const kept = await storeBody(blobs, `responses/${id}.json`, cancelled);
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(id) },
            UpdateExpression: 'SET body = :body, bodyKey = :bodyKey',
            ExpressionAttributeValues: { ':body': kept.body ?? null, ':bodyKey': kept.bodyKey ?? null },
          }),
        );
        return false;
      }
    },

    get: async (id: string, owner: string): Promise<StoredResponse> => {
      const raw = await read(id, owner);
      const item = { ...raw, status: raw.status === FINISHING ? ('in_progress' as const) : raw.status };
      const body = await loadBody<StoredBody>(blobs, item);
      if (!body) {
        // Still generating: the record holds only what was known before the first byte.
        const response = { id, object: 'response', created_at: item.createdAt, status: item.status, model: item.model, output: [] };
        return { id, status: item.status, response, inputItems: [], conversation: [] };
      }
      return { id, status: item.status, ...body, response: { ...body.response, status: item.status } };
    },

    /** The generating side polls this to learn of a cancel from another instance. */
    status: async (id: string): Promise<StoredStatus | undefined> => {
      const { Item: item } = await doc.send(
        new GetCommand({ TableName: tableName, Key: { pk: pk(id) }, ProjectionExpression: '#status', ExpressionAttributeNames: { '#status': 'status' } }),
      );
      return item?.status === FINISHING ? 'in_progress' : (item?.status as StoredStatus | undefined);
    },

    /**
     * Deletes a finished response (its overflow body too). One still generating is a 409: the generating side
     * would write its record back, so it is cancelled first. Deleting is owner-scoped like every read.
     */
    remove: async (id: string, owner: string): Promise<void> => {
      const item = await read(id, owner, true);
      if (item.status === 'in_progress') {
        throw new ConflictError('response_in_progress', `Response '${id}' is still in progress; cancel it before deleting it.`);
      }
      try {
        await doc.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { pk: pk(id) },
            ConditionExpression: '#owner = :owner AND #status <> :open',
            ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
            ExpressionAttributeValues: { ':owner': owner, ':open': 'in_progress' },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        throw new NotFoundError('response_not_found', `No response found with id '${id}'.`, { param: 'response_id' });
      }
      if (item.bodyKey) await blobs.remove(item.bodyKey);
    },

    /** Marks an in-progress response cancelled. Cancelling twice is fine; a finished response cannot be cancelled. */
    cancel: async (id: string, owner: string): Promise<StoredStatus> => {
      const item = await read(id, owner, true);
      if (item.status === 'cancelled') return 'cancelled';
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: pk(id) },
            UpdateExpression: 'SET #status = :cancelled',
            ConditionExpression: '#status = :open AND #owner = :owner',
            ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
            ExpressionAttributeValues: { ':cancelled': 'cancelled', ':open': 'in_progress', ':owner': owner },
          }),
        );
        return 'cancelled';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        throw new ConflictError('response_not_cancellable', `Response '${id}' has already finished and cannot be cancelled.`);
      }
    },
  };
};

export type ResponsesStore = ReturnType<typeof createResponsesStore>;
