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
  /**
   * `split`: built with esbuild's code splitting (not how the CDK deploys: NodejsFunction writes one --outfile),
   * to show what the lazily imported code would cost if it were split out.
   */
  readonly variant?: 'split';
  /** The entry file (index.mjs). */
  readonly file: string;
  /** All output files together. */
  readonly bytes: number;
  /** The entry and the chunks it imports statically: what init loads (equals bytes without splitting). */
  readonly eagerBytes: number;
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
  return { name, file: outfile, bytes, eagerBytes: bytes, byPackage: byPackage(result.metafile, outfile.slice(ROOT.length + 1)), buildMs, closure };
};

/** The output files the entry loads through static imports, itself included. */
const eagerOutputs = (metafile: Metafile, entryOutput: string): Set<string> => {
  const seen = new Set<string>();
  const stack = [entryOutput];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file) || !metafile.outputs[file]) continue;
    seen.add(file);
    for (const edge of metafile.outputs[file]!.imports) if (edge.kind === 'import-statement' && !edge.external) stack.push(edge.path);
  }
  return seen;
};

/** The same build with esbuild's code splitting into `<outDir>/<name>-split/` (index.mjs and its chunks). */
export const buildSplitFunctionBundle = async (name: string, outDir: string): Promise<BuiltBundle> => {
  const dir = join(outDir, `${name}-split`);
  const { outfile: _, ...options } = functionBuildOptions(name, '');
  const t = performance.now();
  const result = await build({ ...options, outdir: dir, splitting: true, entryNames: 'index', chunkNames: 'chunk-[hash]', outExtension: { '.js': '.mjs' } });
  const buildMs = performance.now() - t;
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(result.metafile));
  const outputs = Object.entries(result.metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const entryOutput = outputs.find(([path]) => path.endsWith('/index.mjs'))![0];
  const eager = eagerOutputs(result.metafile, entryOutput);
  const totals = new Map<string, number>();
  for (const [, output] of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) totals.set(packageOf(input), (totals.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return {
    name,
    variant: 'split',
    file: join(dir, 'index.mjs'),
    bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0),
    eagerBytes: outputs.filter(([path]) => eager.has(path)).reduce((sum, [, o]) => sum + o.bytes, 0),
    byPackage: [...totals].sort((a, b) => b[1] - a[1]),
    buildMs,
    closure: summarizeClosure(importClosure(result.metafile, inputEndingWith(result.metafile, functionEntry(name)))),
  };
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
