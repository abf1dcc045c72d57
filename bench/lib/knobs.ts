/**
 * Every setting of `npm run bench` comes from the environment. The table below is also what
 * docs/benchmarks.md prints, so the documentation cannot drift from the code.
 */

interface KnobSpec {
  readonly env: string;
  readonly full: number | string;
  readonly quick: number | string;
  readonly doc: string;
}

export const KNOB_SPECS = {
  quick: { env: 'BENCH_QUICK', full: 0, quick: 1, doc: '1: small sample counts and short phases (about a minute). Quick runs do not rewrite docs/benchmarks.md.' },
  sections: { env: 'BENCH_SECTIONS', full: 'all', quick: 'all', doc: 'Comma-separated section ids to run (e.g. `gateway,catalog`).' },
  samples: { env: 'BENCH_SAMPLES', full: 1500, quick: 300, doc: 'Non-streamed requests per path for the c=1 latency percentiles.' },
  ttftStreams: { env: 'BENCH_TTFT_STREAMS', full: 500, quick: 100, doc: 'Short streams per path for the time-to-first-token percentiles.' },
  chunks: { env: 'BENCH_CHUNKS', full: 20, quick: 10, doc: 'Content chunks the upstream sends per stream in the per-chunk measurement.' },
  chunkGapMs: { env: 'BENCH_CHUNK_GAP_MS', full: 5, quick: 5, doc: 'Gap the upstream leaves between those chunks (ms).' },
  chunkStreams: { env: 'BENCH_CHUNK_STREAMS', full: 40, quick: 12, doc: 'Streams per path in the per-chunk measurement.' },
  rpsMs: { env: 'BENCH_RPS_MS', full: 3000, quick: 1000, doc: 'Duration of each requests/s phase, per path and concurrency (ms).' },
  concurrency: { env: 'BENCH_CONCURRENCY', full: 32, quick: 32, doc: 'The high concurrency of the requests/s and RSS measurement.' },
  catalogRounds: { env: 'BENCH_CATALOG_ROUNDS', full: 600, quick: 150, doc: 'Rounds of the catalog query mix timed in-process.' },
  catalogHttpRounds: { env: 'BENCH_CATALOG_HTTP_ROUNDS', full: 30, quick: 8, doc: 'Rounds of the catalog query mix over HTTP through the gateway.' },
  initRepeats: { env: 'BENCH_INIT_REPEATS', full: 5, quick: 2, doc: 'Fresh Node processes per bundle for the module init time.' },
  keyPathRequests: { env: 'BENCH_KEY_PATH_REQUESTS', full: 20, quick: 8, doc: 'Traced requests of each kind (streamed, not) for the key-path round trips.' },
  x402Samples: { env: 'BENCH_X402_SAMPLES', full: 400, quick: 60, doc: 'x402 verifications timed in-process.' },
  soakSeconds: { env: 'BENCH_SOAK_SECONDS', full: 600, quick: 60, doc: 'Duration of the soak section (s): mixed paid traffic with faults and disconnects, then a money audit.' },
  soakEarlyHangups: { env: 'BENCH_SOAK_EARLY_HANGUPS', full: 1, quick: 1, doc: '1: the soak also hangs up before the first response byte (JSON calls on a slowed provider); 0: only mid-stream.' },
  soakConcurrency: { env: 'BENCH_SOAK_CONCURRENCY', full: 8, quick: 8, doc: 'Requests the soak keeps in flight at once.' },
  hotKeyInstances: { env: 'BENCH_HOT_KEY_INSTANCES', full: 50, quick: 50, doc: 'Simulated Lambda instances (ledger objects with their own leases) serving the hot key.' },
  hotKeyRate: { env: 'BENCH_HOT_KEY_RATE', full: 2000, quick: 2000, doc: 'Calls per second of simulated time on the hot key.' },
  hotKeySeconds: { env: 'BENCH_HOT_KEY_SECONDS', full: 60, quick: 15, doc: 'Simulated seconds of hot-key traffic (and a quarter of that again on a key that runs out).' },
  gatewayNodeArgs: {
    env: 'BENCH_GATEWAY_NODE_ARGS',
    full: '',
    quick: '',
    doc: 'Extra Node flags for the gateway process, e.g. `--cpu-prof --cpu-prof-dir=.bench/profiles` to see where its time goes.',
  },
  cpuCalls: { env: 'BENCH_CPU_CALLS', full: 400, quick: 100, doc: 'Calls of each kind (chat, stream, stored Responses) for the CPU per call of the lambda-cpu section.' },
  functionNodeArgs: {
    env: 'BENCH_FUNCTION_NODE_ARGS',
    full: '',
    quick: '',
    doc: 'Extra Node flags for the lambda-cpu section’s function process, e.g. `--cpu-prof --cpu-prof-dir=.bench/profiles`.',
  },
  functionBundle: {
    env: 'BENCH_FUNCTION_BUNDLE',
    full: '',
    quick: '',
    doc: 'A prebuilt inference bundle (its index.mjs) for the lambda-cpu section instead of this tree’s, e.g. another commit’s for a before/after; `BENCH_FUNCTION_ENV` (JSON) adds to its environment.',
  },
  writeDocs: { env: 'BENCH_WRITE_DOCS', full: 1, quick: 0, doc: '1: regenerate docs/benchmarks.md from this run; 0: only .bench/results.json.' },
} as const satisfies Record<string, KnobSpec>;

type KnobName = keyof typeof KNOB_SPECS;
type StringKnob = 'sections' | 'gatewayNodeArgs' | 'functionNodeArgs' | 'functionBundle';
type NumericKnob = Exclude<KnobName, StringKnob>;

export type Knobs = { readonly [K in NumericKnob]: number } & {
  readonly sections: readonly string[] | undefined;
  readonly gatewayNodeArgs: readonly string[];
  readonly functionNodeArgs: readonly string[];
  readonly functionBundle: string | undefined;
};

const STRING_KNOBS: readonly KnobName[] = ['sections', 'gatewayNodeArgs', 'functionNodeArgs', 'functionBundle'];

export const readKnobs = (env: NodeJS.ProcessEnv = process.env): Knobs => {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const numeric = (name: NumericKnob): number => {
    const spec = KNOB_SPECS[name];
    const raw = env[spec.env];
    const fallback = Number(quick ? spec.quick : spec.full);
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${spec.env} must be a non-negative number, got "${raw}"`);
    return value;
  };
  const sections = env.BENCH_SECTIONS?.split(',').map((s) => s.trim()).filter(Boolean);
  const knobs = Object.fromEntries((Object.keys(KNOB_SPECS) as KnobName[]).filter((k) => !STRING_KNOBS.includes(k)).map((k) => [k, numeric(k as NumericKnob)]));
  return {
    ...knobs,
    quick: quick ? 1 : 0,
    sections: sections?.length && !sections.includes('all') ? sections : undefined,
    gatewayNodeArgs: env.BENCH_GATEWAY_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
    functionNodeArgs: env.BENCH_FUNCTION_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
    functionBundle: env.BENCH_FUNCTION_BUNDLE || undefined,
  } as unknown as Knobs;
};
