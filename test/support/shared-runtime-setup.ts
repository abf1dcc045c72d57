/**
 * Global setup of the `e2e-shared-runtime` project: one local runtime (`npm start`'s, default options:
 * simulators, chain, video pipeline) for every e2e file that only talks HTTP to the gateway, started once instead
 * of once per file. It runs in a child process of its own, so its environment (endpoints, provider variables)
 * never leaks into vitest's workers. Files reach it through `sharedE2eRuntime()` (support/e2e.ts), each with its
 * own Compose Key, so their stored records never meet; payment files through `sharedPaymentsRuntime()`
 * (support/payments.ts), which also reads their key ledgers through its DynamoDB stand-in and funds payer wallets
 * of their own on its chain (both found through its endpoints file). A file that changes the runtime's settings,
 * reads its internals (simulator request logs, handlers run in the test's process) or breaks shared state on
 * purpose starts its own with `startE2eRuntime` or `startPaymentsRuntime`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';
import { readLocalEndpoints } from '../../infra/local/endpoints.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** A hang guard for the start-up (anvil, stand-ins, every handler imported), generous for a busy machine. */
const START_WITHIN_MS = 300_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'compose-e2e-shared-'));
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'node'), [join(ROOT, 'infra', 'local', 'start.ts')], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', COMPOSE_DATA_DIR: dataDir, COMPOSE_KEY_LEASES: process.env.COMPOSE_KEY_LEASES ?? 'off' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async (): Promise<void> => {
    if (!gone) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };

  // Up once it has written its endpoints file, which it does after the server listens.
  const started = Date.now();
  for (;;) {
    const lookup = readLocalEndpoints(dataDir);
    if ('found' in lookup) {
      project.provide('sharedRuntime', { url: lookup.found.url, dataDir });
      return stop;
    }
    if (gone || Date.now() - started > START_WITHIN_MS) {
      await stop();
      throw new Error(`the shared local runtime did not start:\n${stderr}`);
    }
    await delay(100);
  }
}
