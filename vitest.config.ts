import { defineConfig } from 'vitest/config';

/**
 * Unit files that share one module graph per worker (`isolate: false`): they start no runtime, set no process
 * environment and stub no globals, so re-importing the product for each of them only costs time. A file that
 * does any of that belongs in the isolated project (the default for every other file).
 */
const SHARED_MODULES = [
  'test/attack-local-server.test.ts',
  'test/attack-stale-holds.test.ts',
  'test/attack-validation-depth.test.ts',
  'test/catalog-build.test.ts',
  'test/catalog-coverage.test.ts',
  'test/catalog-freshness.test.ts',
  'test/catalog-modalities.test.ts',
  'test/catalog-models.test.ts',
  'test/catalog-names.test.ts',
  'test/catalog-search.test.ts',
  'test/function-closures.test.ts',
  'test/heartbeat.test.ts',
  'test/inference-serializers.test.ts',
  'test/infra-billing.test.ts',
  'test/infra-cli.test.ts',
  'test/infra-config.test.ts',
  'test/infra-video.test.ts',
  'test/infra.test.ts',
  'test/keys-ledger.test.ts',
  'test/keys.test.ts',
  'test/media-billing.test.ts',
  'test/media-formats.test.ts',
  'test/media-image-stream.test.ts',
  'test/media-openai-adapter.test.ts',
  'test/media-providers-alibaba.test.ts',
  'test/media-providers-azure.test.ts',
  'test/media-providers-cartesia.test.ts',
  'test/media-providers-cloudflare.test.ts',
  'test/media-providers-deepgram.test.ts',
  'test/media-providers-elevenlabs.test.ts',
  'test/media-providers-fireworks.test.ts',
  'test/media-providers-gemini.test.ts',
  'test/media-providers-huggingface.test.ts',
  'test/media-providers-local-env.test.ts',
  'test/media-providers-roboflow.test.ts',
  'test/media-responses-video-stream.test.ts',
  'test/media-store-upload.test.ts',
  'test/media-streamed-upload.test.ts',
  'test/pricing.test.ts',
  'test/providers-gemini-fixtures.test.ts',
  'test/providers-gemini-local-runtime.test.ts',
  'test/providers-gemini-schema.test.ts',
  'test/providers-gemini.test.ts',
  'test/providers-openai-compatible-credentials.test.ts',
  'test/providers-openai-compatible-errors.test.ts',
  'test/providers-openai-compatible-fixtures.test.ts',
  'test/providers-openai-compatible-http.test.ts',
  'test/providers-openai-compatible-mapping.test.ts',
  'test/providers-openai-compatible-resilience.test.ts',
  'test/providers-openai-compatible.test.ts',
  'test/providers-vertex-token.test.ts',
  'test/providers-vertex.test.ts',
  'test/receipts.test.ts',
  'test/rollback.test.ts',
  'test/simulator-openai-compatible.test.ts',
  'test/video-openai-adapter.test.ts',
  'test/video-refunds.test.ts',
  'test/video-state-machine.test.ts',
  'test/video-stream.test.ts',
  'test/x402-codec.test.ts',
  'test/x402-contracts.test.ts',
  'test/x402-local-chain.test.ts',
  'test/x402-networks.test.ts',
  'test/x402-nonce-store.test.ts',
  'test/x402-payments.test.ts',
  'test/x402-sign-in.test.ts',
];

/** E2e files that only talk HTTP to a default runtime: they share one (support/shared-runtime-setup.ts). */
const SHARED_RUNTIME = ['test/e2e-chat.test.ts', 'test/e2e-reasoning-effort.test.ts', 'test/e2e-validation.test.ts'];

export default defineConfig({
  test: {
    // Hang guards only, never a measure: on a busy 2-core machine a CDK synth that bundles every function (a
    // beforeAll) has taken four minutes, and a test driving a whole runtime over a minute.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // Most of a file's time is waiting on loopback servers and child processes, not CPU, so more files than cores
    // run at once (vitest's default is cores - 1: one file at a time here). No test depends on timing, so a busier
    // machine makes the run slower, not red. VITEST_MAX_WORKERS overrides it.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 4),
    globalSetup: ['test/support/global-setup.ts'],
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line at the end.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    projects: [
      { extends: true, test: { name: 'shared-modules', include: SHARED_MODULES, isolate: false } },
      { extends: true, test: { name: 'e2e-shared-runtime', include: SHARED_RUNTIME, globalSetup: ['test/support/shared-runtime-setup.ts'] } },
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts'], exclude: [...SHARED_MODULES, ...SHARED_RUNTIME] } },
    ],
  },
});
