/**
 * Ledger instances for lease tests and the hot-key bench: each with its own DynamoDB client (so its round trips
 * are counted on their own, through the SDK's middleware stack: nothing of the ledger is mocked), all on one
 * dynalite, all reading one injected clock.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createKeyLedger, type KeyLedger, type LeaseOptions } from '../../shared/keys/index.ts';

export interface CountedCall {
  readonly command: string;
  /** The item's partition key, when the command names one. */
  readonly pk?: string;
}

export interface CountedLedger {
  readonly ledger: KeyLedger;
  /** Its DynamoDB client (a test may add middleware, e.g. to lose an answer). */
  readonly raw: DynamoDBClient;
  /** Every DynamoDB command this instance sent, in order. */
  readonly calls: CountedCall[];
  /** Writes only (UpdateItem, PutItem, DeleteItem). */
  writes(): number;
  destroy(): void;
}

export const countedLedger = (endpoint: string, tableName: string, now: () => number, leases: LeaseOptions | false): CountedLedger => {
  const raw = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const calls: CountedCall[] = [];
  raw.middlewareStack.add(
    (next, context) => async (args) => {
      // Marshalled ({ S }) or not yet (the document client's marshaller may run after this step).
      const raw = (args.input as { Key?: { pk?: string | { S?: string } } }).Key?.pk;
      const pk = typeof raw === 'string' ? raw : raw?.S;
      calls.push({ command: String(context.commandName), ...(pk === undefined ? {} : { pk }) });
      return next(args);
    },
    { step: 'initialize', name: 'countLedgerCalls' },
  );
  const ledger = createKeyLedger({ client: DynamoDBDocumentClient.from(raw), tableName, now, leases });
  return {
    ledger,
    raw,
    calls,
    writes: () => calls.filter((c) => /^(UpdateItem|PutItem|DeleteItem)Command$/.test(c.command)).length,
    destroy: () => raw.destroy(),
  };
};

/** Polls `check` until it holds (a lease grant runs off the call's path), with a generous overall timeout. */
export const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};
