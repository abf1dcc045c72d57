/**
 * Issue 2: each function's bundle size (built as the deploy builds it: infra/lib/function-bundle.ts) and its module init time: a fresh Node
 * process with the function's Lambda environment imports the bundle, repeated, median reported. A bundle that
 * fails to import is reported with its error; the other bundles are still measured.
 *
 * Issue 15 (cold start): the function's own asset (≤ 600 KB) beside the shared layer it imports (the adapters,
 * x402, the bottom tier with Powertools, the AWS SDK; infra/lib/layer-bundle.ts), counted once; init (≤ 100 ms
 * median) is the import of the bundle with the layer resolved as Lambda resolves it, so it includes the
 * layer's modules the function loads, the SDK and Powertools.
 *
 * Issue 14: each function's import closure, from the build's metafile (bench/bundles/closure.ts): the modules
 * evaluated at init (static imports from the handler), those bundled behind a dynamic import(), and which of
 * the tracked folders (shared/media, shared/videos, layers/providers/<name>, layers/x402, AWS SDK clients,
 * viem) each holds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDevSigningKey, publicJwks } from '../../shared/keys/index.ts';
import { FAMILIES } from '../../shared/routes.ts';
import { buildFunctionBundle, buildOneFileBundle, functionNames, type BuiltBundle } from '../bundles/build.ts';
import type { ClosureSummary } from '../bundles/closure.ts';
import { isFamily, lambdaEnv } from '../bundles/lambda-env.ts';
import { atMost, metric, type Metric, type Section, type Table } from '../lib/section.ts';
import { median, round, summarize } from '../lib/stats.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const PROBE = join(import.meta.dirname, '..', 'bundles', 'init-probe.ts');
const OUT_DIR = join(ROOT, '.bench', 'bundles');
const MB = 1024 * 1024;
const KB = 1024;
/** Issue 15's cold-start targets: the function's own asset, and module init with its layer. */
const OWN_ASSET_TARGET = 600 * KB;
const INIT_TARGET_MS = 100;

/**
 * Functions also built as one file, as the CDK's NodejsFunction deployed them before code splitting, to show
 * what splitting saves where it matters: their media and video roots are lazily imported, and in one file
 * esbuild keeps them in and wraps every module they reach in a lazy initializer.
 */
const ONE_FILE_COMPARISON = ['inference', 'external'];

const keyOf = (b: BuiltBundle): string => (b.variant ? `${b.name}-${b.variant}` : b.name);

interface InitSample {
  readonly importMs: number;
  /** User + system CPU time of the import. */
  readonly cpuMs: number;
  readonly rss: number;
  /** Process start to the end of the import, as Node measures it (includes Node's own boot). */
  readonly sinceProcessStartMs: number;
}

type Probe = { readonly ok: true; readonly sample: InitSample } | { readonly ok: false; readonly error: string };

/**
 * The tracked groups `pick` selects, with their module counts at init, then what sits behind a dynamic import
 * (`lazy: …`, totalled when it spans more than two groups). A column of one group (`short` undefined) shows counts alone.
 */
const closureCell = (closure: ClosureSummary, pick: (group: string) => boolean, short?: (group: string) => string): string => {
  const single = short === undefined;
  const list = (groups: ReadonlyArray<readonly [string, number]>, only: boolean): string =>
    groups
      .filter(([g]) => pick(g))
      .map(([g, n]) => (only ? String(n) : `${short!(g)} ${n}`))
      .join(', ');
  const atInit = list(closure.groups, single);
  const lazyGroups = closure.lazyGroups.filter(([g]) => pick(g));
  const lazyTotal = lazyGroups.reduce((sum, [, n]) => sum + n, 0);
  const lazy = single || lazyGroups.length <= 2 ? list(closure.lazyGroups, single) : `${lazyTotal} in ${lazyGroups.length} folders`;
  return [atInit || '—', ...(lazy ? [`lazy: ${lazy}`] : [])].join('; ');
};

/** What a function imports from the shared layer, by package: `core 9, providers 4, @aws-sdk 6; later: x402 1`. */
const layerCell = (closure: ClosureSummary): string => {
  const byPackage = (specifiers: readonly string[]): string => {
    const counts = new Map<string, number>();
    for (const s of specifiers) {
      const pkg = s.startsWith('@compose-inference/') ? s.split('/')[1]! : '@aws-sdk';
      counts.set(pkg, (counts.get(pkg) ?? 0) + 1);
    }
    return [...counts].map(([pkg, n]) => `${pkg} ${n}`).join(', ');
  };
  const later = byPackage(closure.fromLayer.lazy);
  return [byPackage(closure.fromLayer.static) || '—', ...(later ? [`later: ${later}`] : [])].join('; ');
};

const probe = async (bundle: BuiltBundle, jwks: string): Promise<Probe> => {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...lambdaEnv(bundle.name, { jwks }) };
  try {
    const { stdout } = await run(process.execPath, [PROBE, bundle.file], { env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, sample: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as InitSample };
  } catch (error) {
    // Node prints the failing line of a minified bundle: keep the short lines that say what went wrong.
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const message = stderr.split('\n').find((l) => /^\w*Error\b/.test(l.trim()) && l.length < 400) ?? stderr.split('\n').find((l) => l.trim() && l.length < 400);
    return { ok: false, error: message?.trim() ?? 'import failed' };
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
    // Route families in the route table's order, then workers.
    const families = Object.keys(FAMILIES);
    const rank = (n: string): number => (families.includes(n) ? families.indexOf(n) : families.length);
    const names = functionNames().sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    rmSync(OUT_DIR, { recursive: true, force: true });
    log(`  esbuild: ${names.length} bundles into .bench/bundles/`);
    const bundles: BuiltBundle[] = [];
    // One at a time: esbuild is already parallel inside, and the machine has few cores.
    for (const name of names) bundles.push(await buildFunctionBundle(name, OUT_DIR));
    for (const name of ONE_FILE_COMPARISON.filter((n) => names.includes(n))) bundles.push(await buildOneFileBundle(name, OUT_DIR));

    log(`  module init: ${knobs.initRepeats} fresh processes per bundle`);
    const jwks = await throwawayJwks();
    const samples = new Map<string, InitSample[]>(bundles.map((b) => [keyOf(b), []]));
    const failures = new Map<string, string>();
    // Rounds over all bundles rather than all repeats of one bundle in a row, so drift is shared.
    for (let i = 0; i < Math.max(1, knobs.initRepeats); i += 1) {
      for (const bundle of bundles) {
        if (failures.has(keyOf(bundle))) continue;
        const result = await probe(bundle, jwks);
        if (result.ok) samples.get(keyOf(bundle))!.push(result.sample);
        else failures.set(keyOf(bundle), result.error);
      }
    }
    const importMedian = (key: string): number => median(samples.get(key)!.map((s) => s.importMs));

    const label = (b: BuiltBundle): string => (b.variant ? `${b.name} (one file, not deployed)` : isFamily(b.name) ? b.name : `${b.name} (worker)`);
    // Targets apply to what deploys; the one-file comparisons are in the closure table only.
    const deployed = bundles.filter((b) => !b.variant);
    const layer = bundles[0]!.layer;
    const metrics: Metric[] = [
      metric('shared layer: code size (adapters, x402, core with Powertools, the AWS SDK; counted once, not per function)', layer.bytes, 'bytes', {
        note: layer.byPackage.map(([name, bytes]) => `${name} ${(bytes / KB).toFixed(0)} KB`).join(', '),
      }),
      ...deployed.map((b) =>
        metric(`${label(b)}: own asset size (without the layer)`, b.bytes, 'bytes', {
          target: atMost(OWN_ASSET_TARGET),
          note: `loaded at init: ${(b.eagerBytes / KB).toFixed(1)} KB; imports from the layer at init: ${b.closure.fromLayer.static.length} modules${b.closure.fromLayer.lazy.length ? `, later: ${b.closure.fromLayer.lazy.length}` : ''}`,
        }),
      ),
    ];
    for (const b of deployed) {
      const failure = failures.get(b.name);
      metrics.push(
        metric(`${label(b)}: module init with its layer (import), median`, failure ? null : round(importMedian(b.name), 1), 'ms', {
          target: atMost(INIT_TARGET_MS),
          note: failure
            ? `import failed with the ${isFamily(b.name) ? 'stack’s' : 'bench’s superset'} environment: ${failure}`
            : `${samples.get(b.name)!.length} fresh processes`,
        }),
      );
    }
    const largest = [...deployed].sort((a, b) => b.bytes - a.bytes)[0]!;

    const closures: Table = {
      title: 'Import closures (at init: the handler’s static imports, evaluated by the import; lazy: bundled behind a dynamic import(), evaluated on first use)',
      columns: ['function', 'modules at init (all / project)', 'lazy', 'own asset (loaded at init)', 'init median with layer (wall / CPU)', 'from the layer (at init; later)', 'shared/media, shared/videos', 'layers/x402', 'layers/providers at init', 'AWS SDK clients at init', 'viem'],
      rows: bundles.map((b) => {
        const list = samples.get(keyOf(b))!;
        return [
          label(b),
          `${b.closure.staticModules} / ${b.closure.staticProjectModules}`,
          String(b.closure.lazyModules),
          `${(b.bytes / 1024).toFixed(1)} KB${b.eagerBytes !== b.bytes ? ` (${(b.eagerBytes / 1024).toFixed(1)} KB)` : ''}`,
          failures.has(keyOf(b)) || !list.length ? '—' : `${round(importMedian(keyOf(b)), 1)} / ${round(median(list.map((s) => s.cpuMs)), 1)} ms`,
          layerCell(b.closure),
          closureCell(b.closure, (g) => g === 'shared/media' || g === 'shared/videos', (g) => g.replace('shared/', '')),
          closureCell(b.closure, (g) => g === 'layers/x402'),
          closureCell(b.closure, (g) => g.startsWith('layers/providers'), (g) => g.replace(/^layers\/providers\/?/, '').replace(/^ \((.*)\)$/, '$1')),
          closureCell(b.closure, (g) => g.startsWith('@aws-sdk/') || g === 'aws-sdk (core)', (g) => g.replace(/^@aws-sdk\/(client-)?/, '').replace(/^aws-sdk \(core\)$/, 'core')),
          closureCell(b.closure, (g) => g === 'viem'),
        ];
      }),
    };

    return {
      metrics,
      tables: [closures],
      details: Object.fromEntries(
        bundles.map((b) => {
          const list = samples.get(keyOf(b))!;
          return [
            keyOf(b),
            {
              bytes: b.bytes,
              eagerBytes: b.eagerBytes,
              layerBytes: b.layer.bytes,
              fromLayer: b.closure.fromLayer,
              buildMs: round(b.buildMs, 0),
              largestContributors: b.byPackage.slice(0, 12).map(([name, bytes]) => ({ name, bytes })),
              closure: b.closure,
              ...(failures.has(keyOf(b)) ? { initError: failures.get(keyOf(b)) } : {}),
              importMs: list.map((s) => round(s.importMs, 1)),
              importMsSummary: summarize(list.map((s) => s.importMs)),
              cpuMs: list.map((s) => round(s.cpuMs, 1)),
              processStartToReadyMs: round(median(list.map((s) => s.sinceProcessStartMs)), 1),
              rssAfterImportMB: round(median(list.map((s) => s.rss)) / MB, 1),
            },
          ];
        }),
      ),
      notes: [
        'Bundles are built by bench/bundles/build.ts with the deploy’s own esbuild options, imported from infra/lib/function-bundle.ts (minified ESM with code splitting into index.mjs and chunks, target node24, the shared layer’s packages, the AWS SDK and zod left external (the layer carries them), createRequire banner). Own asset size counts every output file of the function (not the layer); the closure table’s asset cell gives, in parentheses, the entry with the chunks it imports statically (what init loads). Esbuild metafiles are in .bench/bundles/<function>/meta.json, the layer’s in .bench/bundles/opt/meta.json.',
        `The shared layer (infra/lib/layer-bundle.ts, built once into .bench/bundles/opt as the stack builds it) is ${(layer.bytes / KB).toFixed(0)} KB of JavaScript: ${layer.byPackage.map(([name, bytes]) => `${name} ${(bytes / KB).toFixed(0)} KB`).join(', ')}. A function loads the layer files holding what it imports (infra/lib/layer-modules.ts: the bottom tier one module, the adapters’ common code one module, each lazily loaded adapter, x402 and the SDK clients files of their own, the rest in shared chunks; third-party packages in the layer are labelled by the largest input of their chunk). Init imports the bundle with the layer resolved as the Lambda Node.js runtime resolves it (NODE_PATH searched for ES modules: bench/bundles/lambda-resolve.ts), so it includes the layer modules, the SDK and Powertools the function loads at init; x402 and viem are not among them (loaded on the first x402 request).`,
        `Largest bundle: ${largest.name}; its biggest contributors: ${largest.byPackage
          .slice(0, 6)
          .map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(0)} KB`)
          .join(', ')}.`,
        'Modules at init: the handler’s static import closure in the esbuild metafile (all inputs / the project’s own). Lazy modules are in chunks the entry imports with import() on the first request that needs them; they count in the bundle size, not in what init loads. Folder columns count modules: AWS SDK clients by package (lib-dynamodb and s3-request-presigner included), their shared core (@aws-sdk/*, @smithy/*, @aws-crypto/*) as core; viem with ox, abitype, @noble/*, @scure/*; providers by adapter folder (common: files directly in layers/providers). Init CPU is the probe process’s user + system time during the import: a busy machine moves it much less than wall time.',
        'Rows “(one file, not deployed)”: the same function built into one --outfile, as the CDK’s NodejsFunction deployed it before the functions were split (NodejsFunction cannot split). In one file esbuild keeps the lazily imported code and wraps every module that code reaches (there: the AWS SDK clients, billing, viem) in a lazy initializer, which costs tree shaking (bundle size) and init time.',
        'Init is the dynamic import() of the bundle in a fresh process with the function’s Lambda environment (bench/bundles/lambda-env.ts, from infra/lib/access.ts) and the awslambda globals (bench/bundles/init-probe.ts); Node’s own start-up is not included, nor node:http, which the Lambda runtime’s client has loaded before it imports the handler (the probe loads it first too). Lambda arm64 CPUs at the family’s memory size are slower or faster than this machine’s.',
        'The layer’s bare specifiers are resolved by a resolve hook (bench/bundles/lambda-resolve.ts). It is not what inflates init: the same bundles laid out with node_modules beside them, resolved by plain Node with no hook, measured the same within noise (alternating probes, 5 each: inference 185 / 176 ms, settlement-worker 194 / 198, health 33 / 32, hook / plain). Resolution itself is real cost in both: the inference function resolved about 230 import specifiers at init with a file per layer module (about 100 now: its chunks, the layer’s modules and chunks), 0.1–0.2 ms each on this machine (35–50 ms of the inference init in an instrumented probe under load).',
        'Files loaded at init (docs/decisions.md, fourth pass): the layer is cut into files by what loads together, so the inference function loads about 33 files and resolves about 100 specifiers at init (63 and 228 with a file per layer module). Where the rest goes (CPU profiles of the probe, docs/decisions.md, third pass): Node’s bundled undici (20–47 ms here) is no longer loaded at init or by a provider call (docs/decisions.md, “Provider answers are no Response”; test/e2e/bundle-no-undici.test.ts). What is left (fourth pass): compiling the ~700 KB loaded (the AWS SDK’s DynamoDB path, zod, the catalog, Powertools), zod’s first schema constructions, the DynamoDB client’s construction (~6 ms) and Node’s built-ins the first call needs anyway.',
      ],
    };
  },
};
