/**
 * DynamoDB table definitions, shared by the CDK stack and the local runtime so both create the same tables.
 * Every table has one string partition key `pk` and a TTL attribute `expiresAt` (epoch seconds). TTL deletion
 * is lazy in DynamoDB and absent in dynalite, so every read treats an expired item as absent.
 */
export const TABLES = {
  /** Stored Responses API records and their input items. */
  responses: { envVar: 'RESPONSES_TABLE' },
  /** `x-idempotency-key` claims and their stored results, scoped to the payer. */
  idempotency: { envVar: 'IDEMPOTENCY_TABLE' },
  /** Compose Key ledgers: budget, reserved, spent. */
  ledgers: { envVar: 'LEDGERS_TABLE' },
  /** x402 nonces claimed in flight or spent. */
  nonces: { envVar: 'NONCES_TABLE' },
  /** Async video jobs. */
  videos: { envVar: 'VIDEOS_TABLE' },
} as const;

export type TableName = keyof typeof TABLES;

export const PARTITION_KEY = 'pk';
export const TTL_ATTRIBUTE = 'expiresAt';

/** The physical table name for a stage, e.g. `compose-dev-responses`. */
export const physicalTableName = (stage: string, table: TableName): string => `compose-${stage}-${table}`;

/** Reads the physical name from the environment a function was deployed (or started locally) with. */
export const tableNameFromEnv = (table: TableName, env: NodeJS.ProcessEnv = process.env): string => {
  const name = env[TABLES[table].envVar];
  if (!name) throw new Error(`${TABLES[table].envVar} is not set`);
  return name;
};

export const MEDIA_BUCKET_ENV = 'MEDIA_BUCKET';

export const isExpired = (item: { [TTL_ATTRIBUTE]?: number } | undefined, nowSeconds = Math.floor(Date.now() / 1000)): boolean =>
  item?.[TTL_ATTRIBUTE] !== undefined && item[TTL_ATTRIBUTE] <= nowSeconds;

/**
 * The longest id a client may name for a stored record (responses, video jobs). The gateway mints ids of ~60
 * characters; DynamoDB refuses partition keys over 2,048 bytes with a ValidationException (a 500), so a longer id
 * is answered as what it is, a record that does not exist, before any store call.
 */
export const MAX_RECORD_ID_LENGTH = 256;

/** An id for an error message: a client-sent id is echoed whole only when it could be one of ours. */
export const shownId = (id: string): string => (id.length > MAX_RECORD_ID_LENGTH ? `${id.slice(0, 64)}…` : id);
