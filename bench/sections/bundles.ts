/**
 * Issue 2: each function's bundle size (built as the CDK builds it) and its module init time: a fresh Node
 * process with the function's Lambda environment imports the bundle, repeated, median reported.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDevSigningKey, publicJwks } from '../../shared/keys/index.ts';
import { FAMILIES, type Family } from '../../shared/routes.ts';
import { buildFamilyBundle, type BuiltBundle } from '../bundles/build.ts';
import { lambdaEnv } from '../bundles/lambda-env.ts';
import { atMost, metric, type Metric, type Section } from '../lib/section.ts';
import { median, round, summarize } from '../lib/stats.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const PROBE = join(import.meta.dirname, '..', 'bundles', 'init-probe.ts');
const OUT_DIR = join(ROOT, '.bench', 'bundles');
const MB = 1024 * 1024;

interface InitSample {
  readonly importMs: number;
  readonly rss: number;
  /** Process start to the end of the import, as Node measures it (includes Node's own boot). */
  readonly sinceProcessStartMs: number;
}

const probe = async (bundle: BuiltBundle, jwks: string): Promise<InitSample> => {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...lambdaEnv(bundle.family, { jwks }) };
  try {
    const { stdout } = await run(process.execPath, [PROBE, bundle.file], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as InitSample;
  } catch (error) {
    // Node prints the failing line of a minified bundle: keep only the short lines that say what went wrong.
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const lines = stderr.split('\n').filter((l) => l.trim() && l.length < 400);
    throw new Error(`${bundle.family}: importing the bundle failed:\n${lines.slice(0, 12).join('\n')}`);
  }
};

/** A throwaway public JWKS, as the runtime hands the functions (shared/keys keyring). */
const throwawayJwks = async (): Promise<string> => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-bench-keys-'));
  try {
    await ensureDevSigningKey(dir);
    return JSON.stringify(publicJwks(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const bundlesSection: Section = {
  id: 'bundles',
  title: 'Function bundles',
  issue: 2,
  run: async ({ knobs, log }) => {
    const families = Object.keys(FAMILIES) as Family[];
    rmSync(OUT_DIR, { recursive: true, force: true });
    log(`  esbuild: ${families.length} bundles into .bench/bundles/`);
    const bundles: BuiltBundle[] = [];
    // One at a time: esbuild is already parallel inside, and the machine has few cores.
    for (const family of families) bundles.push(await buildFamilyBundle(family, OUT_DIR));

    log(`  module init: ${knobs.initRepeats} fresh processes per bundle`);
    const jwks = await throwawayJwks();
    const inits = new Map<Family, InitSample[]>(families.map((f) => [f, []]));
    // Rounds over all bundles rather than all repeats of one bundle in a row, so drift is shared.
    for (let i = 0; i < Math.max(1, knobs.initRepeats); i += 1) {
      for (const bundle of bundles) inits.get(bundle.family)!.push(await probe(bundle, jwks));
    }

    const metrics: Metric[] = [];
    for (const bundle of bundles) {
      metrics.push(metric(`${bundle.family}: bundle size`, bundle.bytes, 'bytes', { target: atMost(MB) }));
    }
    for (const bundle of bundles) {
      const samples = inits.get(bundle.family)!;
      metrics.push(
        metric(`${bundle.family}: module init (import), median`, round(median(samples.map((s) => s.importMs)), 1), 'ms', {
          target: atMost(150),
          note: `${samples.length} fresh processes`,
        }),
      );
    }
    const largest = [...bundles].sort((a, b) => b.bytes - a.bytes)[0]!;
    const slowest = [...bundles].sort((a, b) => median(inits.get(b.family)!.map((s) => s.importMs)) - median(inits.get(a.family)!.map((s) => s.importMs)))[0]!;

    return {
      metrics,
      details: Object.fromEntries(
        bundles.map((b) => {
          const samples = inits.get(b.family)!;
          return [
            b.family,
            {
              bytes: b.bytes,
              buildMs: round(b.buildMs, 0),
              largestContributors: b.byPackage.slice(0, 12).map(([name, bytes]) => ({ name, bytes })),
              importMs: samples.map((s) => round(s.importMs, 1)),
              importMsSummary: summarize(samples.map((s) => s.importMs)),
              processStartToReadyMs: round(median(samples.map((s) => s.sinceProcessStartMs)), 1),
              rssAfterImportMB: round(median(samples.map((s) => s.rss)) / MB, 1),
            },
          ];
        }),
      ),
      notes: [
        'Bundles are built by bench/bundles/build.ts with the options of infra/lib/family-function.ts (minified ESM, target node24, AWS SDK bundled, createRequire banner; the banner is read from that file).',
        `Largest bundle: ${largest.family}; its biggest contributors: ${largest.byPackage
          .slice(0, 5)
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`)
          .join(', ')}.`,
        `Init is the dynamic import() of the bundle in a fresh process with the function's Lambda environment and awslambda globals (bench/bundles/init-probe.ts); Node's own start-up is not included (slowest: ${slowest.family}). On Lambda arm64 at the family's memory size, CPU is slower or faster than this machine's.`,
      ],
    };
  },
};
