/**
 * `npm run keys` against a running `npm start`: the CLI finds the runtime's stand-ins through the endpoints file
 * it writes in its data directory (no variables to copy), a revocation reaches the ledger and the key's calls
 * are refused, and a revocation that cannot reach the ledger fails loudly — the key must never look revoked
 * while it is still live.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpointsFile, readLocalEndpoints } from '../../infra/local/endpoints.ts';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.ts';
import { cleanChildEnv } from '../support/child-env.ts';

const run = promisify(execFile);
const script = join(import.meta.dirname, '../..', 'scripts', 'keys.ts');

/** The CLI as a user runs it: only PATH (and the run's compile cache) and the data directory `npm start` uses (here a temp one). */
const keys = (dataDir: string, ...args: string[]) => run(process.execPath, [script, ...args], { env: cleanChildEnv({ COMPOSE_DATA_DIR: dataDir }) });
const failure = (dataDir: string, ...args: string[]) =>
  keys(dataDir, ...args).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );

let runtime: LocalRuntime;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'compose-cli-runtime-'));
  // As npm start runs: the ledger lives in the stand-ins' child process, and the endpoints file leads there.
  runtime = await startLocalRuntime({ dataDir, chain: false, videos: false, standins: 'process' });
});
afterAll(async () => {
  await runtime?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const chat = (token: string) =>
  fetch(`${runtime.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'still live?' }] }),
  });

describe('npm run keys against a running npm start', () => {
  it('finds the runtime through its endpoints file: create, show and revoke reach its ledger, and the key is refused within the bound', async () => {
    const endpoints = readLocalEndpoints(dataDir);
    expect(endpoints).toMatchObject({ found: { url: runtime.url, pid: process.pid, tables: { ledgers: 'compose-local-ledgers' } } });

    const created = JSON.parse((await keys(dataDir, 'create', '--budget', '1.00', '--json')).stdout) as { key_id: string; token: string; ledger_table: string };
    expect(created.ledger_table).toBe('compose-local-ledgers');
    expect((await chat(created.token)).status).toBe(200);

    const shown = JSON.parse((await keys(dataDir, 'show', created.key_id, '--json')).stdout) as { ledger: { revoked: boolean; spent_wei: string } };
    expect(shown.ledger.revoked).toBe(false);
    expect(BigInt(shown.ledger.spent_wei)).toBeGreaterThan(0n);

    const revoked = await keys(dataDir, 'revoke', created.key_id);
    expect(revoked.stdout).toContain(`Revoked ${created.key_id}`);
    // Revocation takes effect within 30 s (a hold cached by an instance may outlive it that long); here, at once.
    await expect
      .poll(async () => {
        const response = await chat(created.token);
        return [response.status, ((await response.json()) as { error?: { code: string } }).error?.code];
      }, { timeout: 35_000, interval: 250 })
      .toEqual([401, 'revoked_api_key']);
  });

  it('fails loudly, exit code and all, when the endpoints file names a runtime that is gone or unreachable', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'compose-cli-stale-'));
    try {
      // Nothing running on this data directory at all.
      const none = await failure(elsewhere, 'revoke', 'key_nothing');
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/Not revoked: key_nothing is still live\..*no npm start is running/);

      // A file left behind by a runtime that was killed (its pid is gone).
      const base = { url: 'http://127.0.0.1:1', stage: 'local', s3: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:1', tables: { ledgers: 'compose-local-ledgers' } };
      writeFileSync(endpointsFile(elsewhere), JSON.stringify({ ...base, pid: 2 ** 22 + 7, dynamodb: 'http://127.0.0.1:1' }));
      const stale = await failure(elsewhere, 'revoke', 'key_stale');
      expect(stale.code).toBe(1);
      expect(stale.stderr).toMatch(/Not revoked: key_stale is still live\..*no longer running/);

      // A live process, but nothing listening where its ledger should be.
      writeFileSync(endpointsFile(elsewhere), JSON.stringify({ ...base, pid: process.pid, dynamodb: 'http://127.0.0.1:1' }));
      const unreachable = await failure(elsewhere, 'revoke', 'key_unreachable');
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/Not revoked: key_unreachable is still live\. The ledger at http:\/\/127\.0\.0\.1:1 .* could not be updated/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('removes the endpoints file when the runtime stops', async () => {
    const own = mkdtempSync(join(tmpdir(), 'compose-cli-stop-'));
    try {
      const second = await startLocalRuntime({ dataDir: own, chain: false, videos: false, simulateProviders: false });
      expect(existsSync(endpointsFile(own))).toBe(true);
      await second.close();
      expect(existsSync(endpointsFile(own))).toBe(false);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
