/**
 * The local runtime pointed at stand-ins that are already running (as the bench runs them in a process of their
 * own): it creates its tables, bucket and queues there when missing, does it again harmlessly on a second start,
 * reaches them through the SDK's endpoints, and leaves them running when it closes, with the budget leases its
 * handlers held returned to their keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRuntime, type LocalStandIns } from '../../infra/local/runtime.ts';
import { startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { startS3 } from '../../infra/local/standins/s3.ts';
import { startSqs } from '../../infra/local/standins/sqs.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { createKeyLedger } from '../../shared/keys/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';

const dir = mkdtempSync(join(tmpdir(), 'compose-standins-'));
let stop: () => Promise<unknown>;
let standins: LocalStandIns;

beforeAll(async () => {
  // No bucket configured up front, and the queues made for another stage: the runtime must make its own.
  const [dynamo, s3, sqs] = await Promise.all([startDynamo(), startS3({ directory: dir, buckets: [] }), startSqs({ stage: 'elsewhere' })]);
  standins = { dynamodb: dynamo.endpoint, s3: s3.endpoint, sqs: sqs.endpoint };
  stop = () => Promise.all([dynamo.close(), s3.close(), sqs.close()]);
});

afterAll(async () => {
  await stop?.();
  rmSync(dir, { recursive: true, force: true });
});

// One data directory (one signing key): the handlers are modules, loaded once per process with their settings,
// here with budget leases on, as npm start runs them.
const dataDir = join(dir, 'data');
const start = () => startLocalRuntime({ dataDir, standins, chain: false, videos: false, env: { COMPOSE_KEY_LEASES: 'on' } });

describe('a runtime on stand-ins it did not start', () => {
  // First: the handlers keep the provider settings of the first start (its simulators' ports) for the process.
  it('returns the budget leases its handlers hold when it closes: nothing stays reserved until a deadline', async () => {
    const raw = new DynamoDBClient({ endpoint: standins.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const ledger = createKeyLedger({ client: createDocumentClient(raw), tableName: physicalTableName('local', 'ledgers') });
    try {
      const runtime = await start();
      let keyId: string;
      try {
        const key = await runtime.mintDevKey(5);
        keyId = decodeJwt(key.slice('compose-'.length)).jti!;
        const response = await fetch(`${runtime.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 16 }),
        });
        expect(response.status).toBe(200);
        await response.text();
        // Served from a lease: a slice of the budget is held by this instance beyond what the call cost.
        const open = await ledger.getLedger(keyId);
        expect(open!.reservations.length).toBeGreaterThan(0);
        expect(open!.reserved).toBeGreaterThan(0n);
      } finally {
        await runtime.close();
      }
      const after = await ledger.getLedger(keyId);
      expect(after!.reservations).toEqual([]);
      expect(after!.reserved).toBe(0n);
      // The call was charged, exactly once, and the rest is the key's again.
      expect(after!.spent).toBeGreaterThan(0n);
      expect(after!.available + after!.spent).toBe(after!.budget);
    } finally {
      raw.destroy();
    }
  });

  it('uses their endpoints, creates what it needs there, and can start again on the same ones', async () => {
    for (let i = 0; i < 2; i++) {
      const runtime = await start();
      try {
        expect(runtime.env).toMatchObject({ AWS_ENDPOINT_URL_DYNAMODB: standins.dynamodb, AWS_ENDPOINT_URL_S3: standins.s3, AWS_ENDPOINT_URL_SQS: standins.sqs });
        const key = await runtime.mintDevKey(1);
        // A presigned upload needs the bucket and a key ledger check needs the tables: both are on the stand-ins.
        const response = await fetch(`${runtime.url}/v1/uploads`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ filename: 'a.wav', bytes: 4, purpose: 'transcription' }),
        });
        const upload = (await response.json()) as { upload_url: string; headers: Record<string, string> };
        expect(response.status).toBe(201);
        expect(new URL(upload.upload_url).origin).toBe(standins.s3);
        expect((await fetch(upload.upload_url, { method: 'PUT', headers: upload.headers, body: 'RIFF' })).status).toBe(200);
      } finally {
        await runtime.close();
      }
    }
    // Closing the runtime left the stand-ins up.
    expect((await fetch(standins.dynamodb, { method: 'POST' })).status).toBeLessThan(500);
  });
});
