/** What every ledger operation needs: an injected document client, the table, and a clock (epoch seconds). */
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { InternalError } from '../../layers/core/errors.ts';
import { ledgerKey, RESERVATION_ID_PATTERN } from './ledger-item.ts';
import { KEY_ID_PATTERN, MAX_BUDGET } from './claims.ts';

export interface LedgerContext {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now: () => number;
}

export const isConditionFailure = (error: unknown): boolean => (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** A strongly consistent read, used only on failure paths to explain a refused condition. */
export const readItem = async (ctx: LedgerContext, keyId: string): Promise<Record<string, unknown> | undefined> =>
  (await ctx.client.send(new GetCommand({ TableName: ctx.tableName, Key: ledgerKey(keyId), ConsistentRead: true }))).Item;

export const checkIds = (keyId: string, reservationId?: string): void => {
  if (!KEY_ID_PATTERN.test(keyId)) throw new InternalError('malformed key id');
  if (reservationId !== undefined && !RESERVATION_ID_PATTERN.test(reservationId)) throw new InternalError('malformed reservation id');
};

export const checkAmount = (amount: bigint, what: string): void => {
  if (amount < 0n || amount > MAX_BUDGET) throw new InternalError(`${what} is out of range`);
};
