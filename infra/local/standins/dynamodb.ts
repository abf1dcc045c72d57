import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { PARTITION_KEY, TABLES, physicalTableName, type TableName } from '../../../layers/core/tables.ts';

export interface DynamoStandIn {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * DynamoDB through dynalite: the real wire protocol, so the production SDK code runs unchanged.
 * With `path` the data lives in LevelDB under the local data directory and survives restarts.
 */
export const startDynamo = async (options: { path?: string; port?: number } = {}): Promise<DynamoStandIn> => {
  const server = dynalite({ path: options.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Creates every table of `TABLES` that does not exist yet, from the same definitions the CDK stack uses. */
export const ensureTables = async (client: DynamoDBClient, stage: string): Promise<void> => {
  await Promise.all(
    (Object.keys(TABLES) as TableName[]).map(async (table) => {
      const TableName = physicalTableName(stage, table);
      try {
        await client.send(new DescribeTableCommand({ TableName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await client.send(
          new CreateTableCommand({
            TableName,
            AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
            KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
      }
    }),
  );
};
