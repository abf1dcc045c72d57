/**
 * Builds one family's Lambda bundle the way the CDK's NodejsFunction does (infra/lib/family-function.ts):
 * esbuild, bundle, minify, platform node, format esm into index.mjs, target node24, main fields module,main,
 * the AWS SDK bundled (no externals) and the createRequire banner for CommonJS dependencies.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { importClosure, inputEndingWith, packageOf as packageOfInput, summarizeClosure, type ClosureSummary } from './closure.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Read from the construct's source so the bench cannot drift from what deploys. */
export const esmRequireBanner = (): string => {
  const source = readFileSync(join(ROOT, 'infra', 'lib', 'family-function.ts'), 'utf8');
  const match = /const ESM_REQUIRE_BANNER\s*=\s*(["'`])(.*?)\1;/s.exec(source);
  if (!match) throw new Error('ESM_REQUIRE_BANNER not found in infra/lib/family-function.ts');
  return match[2]!;
};

/** `nodejs24.x` → `node24`, as the CDK derives the esbuild target from the runtime. */
export const NODE_TARGET = 'node24';

export interface BuiltBundle {
  /** The folder under functions/: a route family or a worker. */
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  /** Output bytes per contributing package (or `(project)`), largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
  readonly buildMs: number;
  /** Its import closure: modules evaluated at init, those behind a dynamic import(), the tracked folders. */
  readonly closure: ClosureSummary;
}

const packageOf = (input: string): string => packageOfInput(input) ?? '(project)';

const byPackage = (metafile: Metafile, outfile: string): Array<[string, number]> => {
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith(outfile) || outfile.endsWith(path))?.[1];
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const name = packageOf(input);
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
};

/** Every `functions/<name>/handler.ts`: the route families and any workers. */
export const functionNames = (): string[] =>
  readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'functions', entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();

/** The entry of a function, as a path relative to the project (how the metafile names it). */
export const functionEntry = (name: string): string => `functions/${name}/handler.ts`;

/** The esbuild options the CDK uses for a function's bundle, writing to `outfile`. */
export const functionBuildOptions = (name: string, outfile: string): BuildOptions & { metafile: true } => ({
  entryPoints: [join(ROOT, functionEntry(name))],
  outfile,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  mainFields: ['module', 'main'],
  banner: { js: esmRequireBanner() },
  external: [],
  sourcemap: false,
  metafile: true,
  logLevel: 'error',
  absWorkingDir: ROOT,
});

export const buildFunctionBundle = async (name: string, outDir: string): Promise<BuiltBundle> => {
  const outfile = join(outDir, name, 'index.mjs');
  const t = performance.now();
  const result = await build(functionBuildOptions(name, outfile));
  const buildMs = performance.now() - t;
  const bytes = readFileSync(outfile).byteLength;
  // For a closer look: `npx esbuild --analyze` style inspection, or https://esbuild.github.io/analyze/.
  writeFileSync(join(outDir, name, 'meta.json'), JSON.stringify(result.metafile));
  const closure = summarizeClosure(importClosure(result.metafile, inputEndingWith(result.metafile, functionEntry(name))));
  return { name, file: outfile, bytes, byPackage: byPackage(result.metafile, outfile.slice(ROOT.length + 1)), buildMs, closure };
};

/** A bench script bundled to one plain JavaScript file (no TypeScript loader in the process that runs it). */
export const buildScript = async (entry: string, outfile: string): Promise<string> => {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: esmRequireBanner() },
    sourcemap: false,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return outfile;
};
