import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTables, startDynamo, type DynamoStandIn } from '../../infra/local/standins/dynamodb.ts';
import { createKeyLedger, createKeyVerifier, publicJwks, type KeyLedger } from '../../shared/keys/index.ts';
import { cleanChildEnv } from '../support/child-env.ts';

const run = promisify(execFile);
const script = join(import.meta.dirname, '../..', 'scripts', 'keys.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'compose-cli-'));
let dynamo: DynamoStandIn;
let raw: DynamoDBClient;
let ledger: KeyLedger;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dynamo = await startDynamo();
  raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTables(raw, 'clitest');
  ledger = createKeyLedger({ client: DynamoDBDocumentClient.from(raw), tableName: 'compose-clitest-ledgers' });
  env = cleanChildEnv({ COMPOSE_DATA_DIR: dataDir, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint, STAGE: 'clitest' });
});
afterAll(async () => {
  raw.destroy();
  await dynamo.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// The CLI runs on the same Node as the tests (the project's pinned Node 24).
const keys = async (...args: string[]): Promise<string> => (await run(process.execPath, [script, ...args], { env })).stdout;

describe('npm run keys', () => {
  it('creates a key that verifies, with its ledger written', async () => {
    const created = JSON.parse(await keys('create', '--budget', '5.00', '--models', 'openai/gpt-4o,openai/gpt-4o-mini', '--expires', '30d', '--json'));
    expect(created).toMatchObject({ budget_wei: '5000000', models: ['openai/gpt-4o', 'openai/gpt-4o-mini'], ledger_table: 'compose-clitest-ledgers' });

    const verifier = createKeyVerifier({ jwks: publicJwks(dataDir), issuer: 'compose-inference', audience: 'compose-inference', algorithms: ['EdDSA'] });
    const claims = await verifier.authenticate(`Bearer ${created.token}`);
    expect(claims).toMatchObject({ keyId: created.key_id, budget: 5_000_000n, models: ['openai/gpt-4o', 'openai/gpt-4o-mini'] });
    expect(claims.expiresAt! - claims.issuedAt!).toBe(30 * 86_400);
    expect(await ledger.getLedger(created.key_id)).toMatchObject({ budget: 5_000_000n, available: 5_000_000n, spent: 0n, revoked: false });
  });

  it('shows a key by token (verified) or by id, and revokes it', async () => {
    const created = JSON.parse(await keys('create', '--budget', '0.25', '--json'));
    await ledger.reserve(created.key_id, 50_000n, 'r1');
    const byToken = JSON.parse(await keys('show', created.token, '--json'));
    expect(byToken).toMatchObject({ key_id: created.key_id, verification: 'valid', ledger: { budget_wei: '250000', available_wei: '200000', reserved_wei: '50000' } });
    expect(JSON.stringify(byToken)).not.toContain(created.token.slice(-20));

    await keys('revoke', created.key_id);
    const byId = JSON.parse(await keys('show', created.key_id, '--json'));
    expect(byId.ledger.revoked).toBe(true);
    await expect(ledger.reserve(created.key_id, 1n, 'r2')).rejects.toMatchObject({ code: 'revoked_api_key' });
  });

  it('takes a key id that starts with a dash as the key, not an option (keys minted before ids avoided it)', async () => {
    const keyId = '-VGXiRnGg2L72pBsTAJQHg';
    await ledger.reserve(keyId, 1n, 'r-dash', { budget: 1_000n });
    expect(JSON.parse(await keys('show', keyId, '--json'))).toMatchObject({ key_id: keyId, ledger: { budget_wei: '1000', reserved_wei: '1' } });
    await keys('revoke', keyId);
    expect(JSON.parse(await keys('show', '--json', keyId)).ledger.revoked).toBe(true);
  });

  it('rotates the signing key: new keys carry the new kid, old keys still verify', async () => {
    const before = JSON.parse(await keys('create', '--budget', '1', '--json'));
    await keys('rotate');
    const after = JSON.parse(await keys('create', '--budget', '1', '--json'));
    expect(after.kid).not.toBe(before.kid);
    const jwks = JSON.parse(await keys('jwks'));
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([before.kid, after.kid]);
    const verifier = createKeyVerifier({ jwks, issuer: 'compose-inference', audience: 'compose-inference', algorithms: ['EdDSA'] });
    await expect(verifier.verify(before.token)).resolves.toMatchObject({ keyId: before.key_id });
    await expect(verifier.verify(after.token)).resolves.toMatchObject({ keyId: after.key_id });
  });

  it('refuses a budget finer than an atomic unit and an unknown command', async () => {
    await expect(keys('create', '--budget', '0.0000001')).rejects.toMatchObject({ stderr: expect.stringContaining('6 decimals') });
    await expect(keys('frobnicate')).rejects.toMatchObject({ stderr: expect.stringContaining('usage') });
  });

  it('refuses a key that could never make a call: born expired (--expires 0d) or allowed no model (--models "")', async () => {
    await expect(keys('create', '--budget', '1', '--expires', '0d')).rejects.toMatchObject({ stderr: expect.stringContaining('positive duration') });
    await expect(keys('create', '--budget', '1', '--models', '')).rejects.toMatchObject({ stderr: expect.stringContaining('--models') });
    await expect(keys('create', '--budget', '1', '--models', ' , ')).rejects.toMatchObject({ stderr: expect.stringContaining('--models') });
  });
});
