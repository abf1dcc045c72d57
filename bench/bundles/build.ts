/**
 * Builds one function's Lambda bundle as the deploy does (infra/lib/function-bundle.ts holds the options for
 * both): esbuild, bundle, minify, platform node, ESM with code splitting into index.mjs and its chunks, target
 * node24, main fields module,main, the shared layer's packages, the AWS SDK and zod left external, and the
 * createRequire banner for CommonJS dependencies. For comparison, the same build as one file (how the CDK's
 * NodejsFunction built it).
 *
 * The shared layer those bundles import is built once per output folder, into `<outDir>/opt` (what Lambda
 * mounts at /opt), as the stack builds it (infra/lib/layer-bundle.ts); the init probe and the lambda host
 * resolve the bundles' imports from there as Lambda does (lambda-resolve.ts).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ENTRY_FILE, functionBuildOptions, functionEntry, NODE_ESM_BUNDLE } from '../../infra/lib/function-bundle.ts';
import { buildLayerCode } from '../../infra/lib/layer-bundle.ts';
import { importClosure, inputEndingWith, packageOf as packageOfInput, summarizeClosure, type ClosureSummary } from './closure.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface BuiltBundle {
  /** The folder under functions/: a route family or a worker. */
  readonly name: string;
  /**
   * `one-file`: built without code splitting into one --outfile (not deployed: how the CDK's NodejsFunction
   * built it before), to show what splitting saves.
   */
  readonly variant?: 'one-file';
  /** The entry file (index.mjs). */
  readonly file: string;
  /** All output files together. */
  readonly bytes: number;
  /** The entry and the chunks it imports statically: what init loads (equals bytes in one file). */
  readonly eagerBytes: number;
  /** Output bytes per contributing package (or `(project)`), largest first. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
  readonly buildMs: number;
  /** Its import closure: modules evaluated at init, those behind a dynamic import(), the tracked folders. */
  readonly closure: ClosureSummary;
  /** The shared layer the bundle imports from, built beside it (`<outDir>/opt`). */
  readonly layer: BuiltLayer;
}

/** The shared layer's code as a function sees it: `dir` is its /opt. */
export interface BuiltLayer {
  readonly dir: string;
  /** JavaScript bytes of the layer's packages (the adapters, x402, core) and of its AWS SDK. */
  readonly bytes: number;
  /** Output bytes per package: `@compose-inference/<package>` (with the third-party code it bundles) and `@aws-sdk`. */
  readonly byPackage: ReadonlyArray<readonly [string, number]>;
  readonly buildMs: number;
}

const layers = new Map<string, BuiltLayer>();

/** The shared layer into `<outDir>/opt`, built once per output folder and process. */
export const buildLayer = (outDir: string): BuiltLayer => {
  const known = layers.get(outDir);
  if (known) return known;
  const dir = join(outDir, 'opt');
  const t = performance.now();
  const code = buildLayerCode(dir);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(code.metafile));
  // Chunks shared by several packages count under the package of the largest input they hold.
  const totals = new Map<string, number>();
  for (const [file, output] of Object.entries(code.metafile.outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const pkg = /node_modules\/(@aws-sdk)\//.test(file) ? '@aws-sdk' : layerPackageOf(output.inputs);
    totals.set(pkg, (totals.get(pkg) ?? 0) + output.bytes);
  }
  const built: BuiltLayer = { dir, bytes: code.bytes, byPackage: [...totals].sort((a, b) => b[1] - a[1]), buildMs: performance.now() - t };
  layers.set(outDir, built);
  return built;
};

const layerPackageOf = (inputs: Metafile['outputs'][string]['inputs']): string => {
  const largest = Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)[0]?.[0] ?? '';
  const project = /(?:^|\/)layers\/(core|providers|x402)\//.exec(largest);
  if (project) return `@compose-inference/${project[1]}`;
  return packageOfInput(largest)?.startsWith('@aws-sdk/') || packageOfInput(largest)?.startsWith('@smithy/') ? '@aws-sdk' : `third-party (${packageOfInput(largest) ?? 'other'})`;
};

const packageOf = (input: string): string => packageOfInput(input) ?? '(project)';

/** Every `functions/<name>/handler.ts`: the route families and any workers. */
export const functionNames = (): string[] =>
  readdirSync(join(ROOT, 'functions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, 'functions', entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();

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

/** Sizes, contributors and import closure of one build, from its metafile. */
const describeBuild = (name: string, dir: string, metafile: Metafile, buildMs: number, layer: BuiltLayer, variant?: BuiltBundle['variant']): BuiltBundle => {
  // For a closer look: https://esbuild.github.io/analyze/ reads this file.
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(metafile));
  const outputs = Object.entries(metafile.outputs).filter(([path]) => path.endsWith('.mjs'));
  const entryOutput = outputs.find(([path]) => path.endsWith(`/${ENTRY_FILE}`))![0];
  const eager = eagerOutputs(metafile, entryOutput);
  const totals = new Map<string, number>();
  for (const [, output] of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) totals.set(packageOf(input), (totals.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  return {
    name,
    ...(variant ? { variant } : {}),
    file: join(dir, ENTRY_FILE),
    bytes: outputs.reduce((sum, [, o]) => sum + o.bytes, 0),
    eagerBytes: outputs.filter(([path]) => eager.has(path)).reduce((sum, [, o]) => sum + o.bytes, 0),
    byPackage: [...totals].sort((a, b) => b[1] - a[1]),
    buildMs,
    closure: summarizeClosure(importClosure(metafile, inputEndingWith(metafile, functionEntry(name)))),
    layer,
  };
};

/** The deployed build of function `name` into `<outDir>/<name>/` (index.mjs and its chunks). */
export const buildFunctionBundle = async (name: string, outDir: string): Promise<BuiltBundle> => {
  const layer = buildLayer(outDir);
  const dir = join(outDir, name);
  const t = performance.now();
  const result = await build(functionBuildOptions(name, dir));
  return describeBuild(name, dir, result.metafile, performance.now() - t, layer);
};

/** The same build without code splitting, into `<outDir>/<name>-one-file/index.mjs`, as NodejsFunction built it. */
export const buildOneFileBundle = async (name: string, outDir: string): Promise<BuiltBundle> => {
  const layer = buildLayer(outDir);
  const dir = join(outDir, `${name}-one-file`);
  const { outdir: _, entryNames: __, chunkNames: ___, outExtension: ____, splitting: _____, ...options } = functionBuildOptions(name, dir);
  const t = performance.now();
  const result = await build({ ...options, outfile: join(dir, ENTRY_FILE) });
  return describeBuild(name, dir, result.metafile, performance.now() - t, layer, 'one-file');
};

/** A bench script bundled to one plain JavaScript file (no TypeScript loader in the process that runs it). */
export const buildScript = async (entry: string, outfile: string): Promise<string> => {
  await build({
    entryPoints: [entry],
    outfile,
    ...NODE_ESM_BUNDLE,
    sourcemap: false,
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return outfile;
};
