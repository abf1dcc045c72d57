import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real servers (stand-ins, simulators, a chain); give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Budget leases off by default: many tests read a key's ledger right after a call and expect it settled
    // there. The lease tests (keys-leases, attack-leases) turn them on for their own ledgers and runtimes.
    env: { COMPOSE_KEY_LEASES: 'off' },
    // The JSON report lets .ci/run print one plain 'N passed, N failed' line at the end.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
  },
});
