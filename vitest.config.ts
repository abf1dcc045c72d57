import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/support/slow-first-sequencer.ts';

/**
 * Unit files that write `process.env` or spy on the process's output at load: they need a module graph of their
 * own. Every other unit file shares one per worker (`isolate: false`), since re-importing the product for each
 * file only costs time. See test/README.md for where a test goes.
 */
const ISOLATED_UNITS = ['test/unit/observability.test.ts', 'test/unit/relayer-gas.test.ts'];

/**
 * Node's compile cache (V8 code for every module, and the type-stripped output of .ts files) in one folder for
 * the whole run: every vitest worker is a fresh process that loads the same dependencies, and tests spawn more
 * (npm start, the stand-ins, the CLIs), so each load after the first skips compiling. Set before any worker
 * starts, so the workers and their children inherit it; a run that sets its own keeps it.
 */
process.env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'compose-node-compile-cache');

/**
 * The product's sources (what `npm start` runs), for the `isolated` and unit projects: Node loads them itself, as `npm start`
 * does (type stripping, the compile cache above), instead of vitest transforming each one and evaluating it in its
 * module runner. Most of that project's files start a runtime, which imports every handler, stand-in and simulator:
 * starting one took 2.5-3.6 s of the worker's CPU through vitest (plus the transforms), 1.2-1.8 s natively. The
 * tests and their helpers stay vitest's; a test that imports a product module gets the same instance as the runtime
 * it started (attack-leases reads the handlers' key ledger). Nothing there mocks a product module (it could not now).
 * The unit files (their product modules shared per worker already) spent 10 % less CPU so: 40.4 s to 36.6 s for the
 * 78 files outside infra, and vitest's transform time went from 22.6 s to 7.0 s.
 */
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PRODUCT_SOURCES = new RegExp(`^${escapeRegExp(import.meta.dirname)}/(infra/local|functions|shared|layers)/.*\\.ts$`);

/**
 * E2e files that only talk HTTP to a default runtime (npm start's settings: provider retries, video pipeline and
 * chain on) and read only their own records: they share one (support/shared-runtime-setup.ts), each with Compose
 * Keys of its own (`sharedE2eRuntime()`), and the payment files with payer wallets of their own too
 * (`sharedPaymentsRuntime()`: fresh keys funded on the shared chain), comparing what their own payers paid, never
 * the shared merchant's balance. A file that sets the runtime's environment, reads its internals (simulator
 * request logs, handlers run in the test's process), stalls or kills a provider, deletes a queue or needs leases
 * keeps its own runtime.
 */
const SHARED_RUNTIME = [
  'test/e2e/e2e-chat.test.ts',
  'test/e2e/e2e-reasoning-effort.test.ts',
  'test/e2e/e2e-validation.test.ts',
  'test/e2e/attack-validation.test.ts',
  'test/e2e/e2e-media.test.ts',
  'test/e2e/e2e-media-providers.test.ts',
  'test/e2e/clients-frameworks.test.ts',
  'test/e2e/e2e-external-openai.test.ts',
  'test/e2e/e2e-responses.test.ts',
  'test/e2e/clients-openai-sdk.test.ts',
  // They check that no provider key reaches a client: the shared runtime's endpoints file says the simulators' keys.
  'test/e2e/e2e-external-errors.test.ts',
  'test/e2e/e2e-external-opencode.test.ts',
  'test/contract/contract-catalog.test.ts',
  'test/contract/openapi-document.test.ts',
  // Payments: keys, ledgers, wallets and receipts of their own.
  'test/e2e/attack-hostile-host.test.ts',
  'test/e2e/attack-revoked.test.ts',
  'test/e2e/attack-x402-refusals.test.ts',
  'test/e2e/attack-x402-identity.test.ts',
  'test/e2e/attack-oversized-ids.test.ts',
  'test/e2e/attack-output-cap.test.ts',
  'test/e2e/readme-x402.test.ts',
  'test/e2e/e2e-payments-x402.test.ts',
  'test/e2e/e2e-media-payments.test.ts',
];

export default defineConfig({
  test: {
    // Hang guards only, never a measure: on a busy 2-core machine a CDK synth that bundles every function (a
    // beforeAll) has taken four minutes, and a test driving a whole runtime over a minute.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // The longest files start first in their project (test/support/slow-first-sequencer.ts), as vitest does once
    // it has their durations: on a fresh clone a CDK synth started last ran alone at the end.
    sequence: { sequencer: SlowFirstSequencer },
    // Most of a file's time is waiting on loopback servers and child processes, not CPU, so more files than cores
    // run at once (vitest's default is cores - 1: one file at a time here). No test depends on timing, so a busier
    // machine makes the run slower, not red. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 4),
    // Budget leases off by default: many tests read a key's ledger right after a call and expect it settled
    // there. The lease tests (keys-leases, attack-leases) turn them on for their own ledgers and runtimes.
    // The infra files and the `cdk synth` runs they start share the built function bundles and layer
    // (infra/lib/bundle-cache.ts): bundling every function per synth was the largest share of the suite's CPU.
    env: { COMPOSE_KEY_LEASES: 'off', COMPOSE_BUNDLE_CACHE: process.env.COMPOSE_BUNDLE_CACHE ?? join(tmpdir(), 'compose-bundle-cache') },
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line at the end.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      { extends: true, test: { name: 'shared-modules', server: { deps: { external: [PRODUCT_SOURCES] } }, include: ['test/unit/**/*.test.ts'], exclude: ISOLATED_UNITS, isolate: false } },
      // Its files write no process.env and stub nothing, so they also share a module graph per worker: each worker
      // imports the SDKs and the product's modules once, not once per file.
      { extends: true, test: { name: 'e2e-shared-runtime', include: SHARED_RUNTIME, globalSetup: ['test/support/shared-runtime-setup.ts'], isolate: false } },
      // test/*.test.ts: a file not yet sorted into a folder still runs, isolated.
      {
        extends: true,
        test: { name: 'isolated', server: { deps: { external: [PRODUCT_SOURCES] } }, include: ['test/contract/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/*.test.ts', ...ISOLATED_UNITS], exclude: SHARED_RUNTIME },
      },
    ],
  },
});
