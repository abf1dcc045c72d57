/**
 * How a function's code is built: esbuild, locally from node_modules (never Docker), into a folder holding the
 * entry `index.mjs` and the chunks esbuild splits out of it. The deploy (family-function.ts) and the bundle
 * bench (bench/bundles/build.ts) both take their options from here, so what is measured is what deploys.
 *
 * Code splitting is why this is not the CDK's NodejsFunction: that construct always writes one `--outfile`,
 * and in one file esbuild keeps code reached only through `import()` (the text functions' media and video
 * roots) in the bundle, wrapping every module it reaches in a lazy initializer. Split, that code is a chunk
 * the entry does not load until the first request that needs it.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { cachedBuild } from './bundle-cache.ts';
import { layerModulesExternal } from './layer-modules.ts';
import { LAYER_THIRD_PARTY } from './layer-packages.ts';
import { PROJECT_ROOT } from './paths.ts';

/**
 * ESM bundles have no `require`; CommonJS dependencies that esbuild leaves as `require()` calls (Node
 * built-ins inside CJS packages) need one. The banner goes into every file esbuild writes (each chunk too), and
 * almost none calls it (2 of the layer's and functions' ~300 files, none at init), so the real one is made on
 * the first call: an import of node:module and a createRequire in each of the ~35 files a function loads at init
 * cost about 2 ms of it here. `require.resolve` is the only other member bundled code reads. The names avoid
 * clashing with a bundled `createRequire`.
 */
export const ESM_REQUIRE_BANNER =
  'let __composeRequire; const __composeRealRequire = () => (__composeRequire ??= process.getBuiltinModule("node:module").createRequire(import.meta.url)); const require = (id) => __composeRealRequire()(id); require.resolve = (id, options) => __composeRealRequire().resolve(id, options);';

/** esbuild's target for the `nodejs24.x` runtime (NODE_RUNTIME in family-function.ts). */
export const NODE_TARGET = 'node24';

/** What every bundle this project builds shares: one ESM program for the Node 24 runtime, with a `require`. */
export const NODE_ESM_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: NODE_TARGET,
  mainFields: ['module', 'main'],
  banner: { js: ESM_REQUIRE_BANNER },
} as const satisfies BuildOptions;

/**
 * The AWS SDK v3 is not in the function's own asset: the shared layer carries it (layer-bundle.ts), minified and
 * tree-shaken to the names the deployed code imports, pinned to package-lock's version. The layer's
 * /opt/nodejs/node_modules comes before the runtime's own SDK (/var/runtime/node_modules) on NODE_PATH, so the
 * runtime's copy (a different, drifting version, unminified) is never loaded; and the function and the
 * layer's x402 code share one copy (one ConditionalCheckFailedException class).
 */
export const AWS_SDK_EXTERNAL = ['@aws-sdk/*'] as const;

/**
 * zod is in the layer too (layer-bundle.ts, LAYER_THIRD_PARTY), re-exporting the names the deployed code reads:
 * the adapters and the function's own code share one copy, loaded once at init. Only the listed specifiers go
 * there (esbuild's `external: ['zod']` would take every `zod/...` subpath too, which the layer does not carry).
 */
export const layerThirdParty = (): Plugin => ({
  name: 'compose-layer-third-party',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${LAYER_THIRD_PARTY.join('|').replaceAll('/', '\\/')})$`) }, (args) => ({ path: args.path, external: true }));
  },
});

/**
 * A large JSON module (the model catalog, the OpenAPI document) becomes `JSON.parse('…')` rather than the object
 * literal esbuild's json loader writes: V8 parses a JSON string faster than the same data as JavaScript
 * (154 KB catalog: ~4.3 vs ~6.5 ms CPU to import here), and the data is needed at init either way. Only default
 * imports are used (`import catalog from './catalog.json' with { type: 'json' }`), which this keeps.
 */
const JSON_PARSE_MIN_BYTES = 10_000;
const largeJsonAsParse = (): Plugin => ({
  name: 'compose-large-json-as-parse',
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (text.length < JSON_PARSE_MIN_BYTES) return undefined;
      return { contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(text)))});`, loader: 'js' };
    });
  },
});

/** The file esbuild writes for the entry; the Lambda handler is its `handler` export. */
export const ENTRY_FILE = 'index.mjs';
export const LAMBDA_HANDLER = 'index.handler';

/** A function's entry, relative to the project (how esbuild's metafile names it). */
export const functionEntry = (name: string): string => `functions/${name}/handler.ts`;

export interface FunctionBundleOptions {
  /** Linked `.map` files beside each output, without the sources' text (the deploy's `sourceMaps` setting). */
  readonly sourceMaps?: boolean;
}

/** The esbuild options of function `name` (a folder under functions/), writing into `outdir`. */
export const functionBuildOptions = (name: string, outdir: string, options: FunctionBundleOptions = {}): BuildOptions & { metafile: true } => ({
  entryPoints: [path.join(PROJECT_ROOT, functionEntry(name))],
  outdir,
  // The entry is index.mjs; chunks are named by content, so an unchanged chunk keeps its name across builds.
  entryNames: 'index',
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  ...NODE_ESM_BUNDLE,
  minify: true,
  external: [...AWS_SDK_EXTERNAL],
  // Imports into layers/ name the layer file holding the module (layer-modules.ts: core and the adapters' common code are one module each).
  plugins: [layerModulesExternal(), layerThirdParty(), largeJsonAsParse()],
  sourcemap: options.sourceMaps === true,
  ...(options.sourceMaps ? { sourcesContent: false } : {}),
  metafile: true,
  logLevel: 'error',
  absWorkingDir: PROJECT_ROOT,
});

/**
 * A function's build options as data: without the output folder, the metafile flag and the plugins (functions).
 * The CDK keys its asset cache on them (family-function.ts) and the bundle cache its entries.
 */
export const functionBundleKeyOptions = (name: string, options: FunctionBundleOptions = {}): BuildOptions => {
  const { outdir: _, metafile: __, plugins: ___, ...rest } = functionBuildOptions(name, '', options);
  return { ...rest, plugins: [] };
};

/**
 * Writes function `name`'s deployed code into `outputDir`: esbuild in a child process (build-function.ts: the CDK
 * bundles synchronously, and esbuild's synchronous API runs no plugins), or a copy of the same build from the
 * bundle cache when one is set (bundle-cache.ts).
 */
export const bundleFunction = (name: string, outputDir: string, options: FunctionBundleOptions = {}): void => {
  const script = path.join(PROJECT_ROOT, 'infra', 'lib', 'build-function.ts');
  cachedBuild(`function:${name}`, functionBundleKeyOptions(name, options), outputDir, (dir) => {
    const run = spawnSync(process.execPath, [script, name, dir, ...(options.sourceMaps ? ['--source-maps'] : [])], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (run.status !== 0) throw new Error(`esbuild failed for function ${name}`);
  });
};
