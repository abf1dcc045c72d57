/**
 * The videos table: one item per job, `pk = video#<id>`. Reads treat an expired item as absent (TTL deletion is
 * lazy); a job is visible only to its owner, to anyone else it does not exist (404, never 403).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../layers/core/errors.ts';
import { MAX_RECORD_ID_LENGTH, isExpired, shownId } from '../../layers/core/tables.ts';
import type { VideoJob, VideoStatus } from './job.ts';

export interface VideoJobStoreOptions {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Fields a transition may set; `undefined` values are left alone. */
export type JobChanges = Partial<Omit<VideoJob, 'id' | 'owner' | 'createdAt' | 'expiresAt'>>;

export interface VideoJobStore {
  create(job: VideoJob): Promise<void>;
  /** The job, or undefined when it does not exist or has expired. Consistent reads for the worker's decisions. */
  read(id: string, consistent?: boolean): Promise<VideoJob | undefined>;
  /** The job as its owner sees it; 404 `video_not_found` for anyone else. */
  readOwned(id: string, owner: string): Promise<VideoJob>;
  /**
   * Applies `changes` only while the job's status is one of `from`. Returns the job after the write, or
   * undefined when the status had already moved on (a cancel won the race, a duplicate delivery, a retry).
   */
  transition(id: string, from: readonly VideoStatus[], changes: JobChanges): Promise<VideoJob | undefined>;
}

const key = (id: string) => ({ pk: `video#${id}` });

const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException || (error as Error | null)?.name === 'ConditionalCheckFailedException';

const fromItem = (item: Record<string, unknown> | undefined): VideoJob | undefined => {
  if (!item || isExpired(item as { expiresAt?: number })) return undefined;
  const { pk: _pk, ...job } = item;
  return job as unknown as VideoJob;
};

export const notFound = (id: string): NotFoundError => new NotFoundError('video_not_found', `No video job found with id '${shownId(id)}'.`, { param: 'id' });

export const createVideoJobStore = ({ doc, tableName }: VideoJobStoreOptions): VideoJobStore => {
  const read = async (id: string, consistent = false): Promise<VideoJob | undefined> =>
    id.length > MAX_RECORD_ID_LENGTH ? undefined : fromItem((await doc.send(new GetCommand({ TableName: tableName, Key: key(id), ConsistentRead: consistent }))).Item);

  return {
    create: async (job) => {
      await doc.send(new PutCommand({ TableName: tableName, Item: { ...key(job.id), ...job }, ConditionExpression: 'attribute_not_exists(pk)' }));
    },
    read,
    readOwned: async (id, owner) => {
      const job = await read(id);
      if (!job || job.owner !== owner) throw notFound(id);
      return job;
    },
    transition: async (id, from, changes) => {
      const names: Record<string, string> = { '#status': 'status' };
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      for (const [field, value] of Object.entries(changes)) {
        if (value === undefined) continue;
        names[`#${field}`] = field;
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
      from.forEach((status, i) => {
        values[`:from${i}`] = status;
      });
      try {
        const result = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(id),
            // An empty change set still checks the status: "is this job still open?" in one round trip.
            UpdateExpression: sets.length ? `SET ${sets.join(', ')}` : 'SET #status = #status',
            ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return fromItem(result.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };
};
