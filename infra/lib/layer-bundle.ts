/**
 * The shared layer's code (docs/decisions.md, "The shared layer holds the adapters"): the bottom tier and the
 * adapters as three npm-style packages under `nodejs/node_modules/@compose-inference/` — `core` (errors, SSE,
 * media formats, limits, logging), `providers` and `x402` — cut into files by what loads together
 * (layer-modules.ts): core one module, the adapters' common code one module, each lazily loaded adapter, the
 * credentials and each x402 module the functions import a file of its own. Every source module is in exactly one
 * file (or, for the credentials' few constants, a copy that holds no state), so an error class keeps one identity
 * (instanceof holds) across the packages and the function bundles that import them. Built in stages that import
 * each other by specifier: the SDK, core, then the adapters' common module, the credentials, and the rest with
 * code splitting (a module reached from two of those files is one chunk, evaluated once).
 *
 * The function builds (function-bundle.ts) use `layerModulesExternal`: an import that resolves into layers/core,
 * layers/providers or layers/x402 becomes the bare specifier of the layer file holding it
 * (`@compose-inference/core/index`, `@compose-inference/x402/index`, …), left external, and resolved in Lambda
 * from the layer (/opt/nodejs/node_modules, which the Node.js runtime searches for ES modules through NODE_PATH). Locally (npm start, tests) nothing is bundled: the source imports
 * are plain relative paths and resolve from source as before.
 *
 * No CDK here, so the bench and the tests build the same layer the stack deploys (shared-layer.ts).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, buildSync, transformSync, type BuildOptions, type Metafile } from 'esbuild';
import { cachedBuild } from './bundle-cache.ts';
import { AWS_SDK_EXTERNAL, layerThirdParty, NODE_ESM_BUNDLE } from './function-bundle.ts';
import {
  coreModules,
  importedLayerFiles,
  insideProvidersCommon,
  LAYER_CORE_MODULE,
  LAYER_PROVIDERS_MODULE,
  layerModulesExternal,
  providersCommonModules,
  PROVIDERS_OWN_FILES,
  sourceFiles,
} from './layer-modules.ts';
import { LAYER_NODE_MODULES, LAYER_PACKAGES, LAYER_SCOPE, LAYER_THIRD_PARTY, layerModuleOf, layerSpecifier, type LayerPackage } from './layer-packages.ts';
import { PROJECT_ROOT } from './paths.ts';

/**
 * The layer files the functions import, as `{ '<specifier>': '<absolute path>' }`: the bottom tier's one module
 * and the adapters' common module (layer-modules.ts), each with the folder it is built from (coreBuildOptions,
 * providersCommonBuildOptions), and every other layers/ module a file of shared/ or functions/ names in an import
 * (x402's, the credentials: esbuild entry points; what they import in turn lives in shared chunks).
 * test/unit/function-closures.test.ts checks that every layer specifier a function bundle imports is an entry here.
 */
export const layerEntries = (): Record<string, string> => {
  const entries: Record<string, string> = {};
  for (const file of importedLayerFiles()) {
    const target = layerModuleOf(file)!;
    if (target.pkg === 'core') entries[LAYER_CORE_MODULE] = path.join(PROJECT_ROOT, LAYER_PACKAGES.core);
    else if (target.pkg === 'providers' && insideProvidersCommon(file)) entries[LAYER_PROVIDERS_MODULE] = path.join(PROJECT_ROOT, LAYER_PACKAGES.providers);
    else entries[`${LAYER_SCOPE}/${target.pkg}/${target.module}`] = file;
  }
  return Object.fromEntries(Object.entries(entries).sort((a, b) => a[0].localeCompare(b[0])));
};

/** The folders whose code deploys (function bundles and the layer): where the AWS SDK imports are collected. */
const DEPLOYED_SOURCES = ['layers', 'shared', 'functions'];

/**
 * The AWS SDK packages the deployed code imports, each with the value names it imports
 * (`import { GetCommand, type X } from '@aws-sdk/lib-dynamodb'` → GetCommand), read from the source.
 */
export const awsSdkImports = (): Map<string, Set<string>> => {
  const imports = new Map<string, Set<string>>();
  const pattern = /import\s+(type\s+)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/[^']+)'/g;
  for (const file of DEPLOYED_SOURCES.flatMap((dir) => sourceFiles(path.join(PROJECT_ROOT, dir)))) {
    for (const [, typeOnly, names, pkg] of fs.readFileSync(file, 'utf8').matchAll(pattern)) {
      if (typeOnly) continue;
      const values = names!
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name && !name.startsWith('type '))
        .map((name) => name.split(/\s+as\s+/)[0]!.trim());
      if (!values.length) continue;
      const set = imports.get(pkg!) ?? new Set<string>();
      for (const name of values) set.add(name);
      imports.set(pkg!, set);
    }
  }
  return imports;
};

/**
 * The names the deployed code uses from `specifier` (`zod` or `zod/mini`: `z.object`, `z.config`, … — what
 * `import * as z from '<specifier>'` reads — and any named import), from the sources with their types stripped,
 * so a name only a type mentions (`z.infer`, `z.core.$ZodIssue`) is not among them. The layer's zod package
 * re-exports exactly these.
 */
export const zodImports = (specifier: string): Set<string> => {
  const names = new Set<string>();
  const quoted = `["']${specifier.replace('/', '\\/')}["']`;
  for (const file of DEPLOYED_SOURCES.flatMap((dir) => sourceFiles(path.join(PROJECT_ROOT, dir)))) {
    const source = fs.readFileSync(file, 'utf8');
    if (!source.includes(`'${specifier}'`)) continue;
    const code = transformSync(source, { loader: 'ts', sourcefile: file }).code;
    for (const [, alias] of code.matchAll(new RegExp(`import\\s*\\*\\s*as\\s+([\\w$]+)\\s+from\\s*${quoted}`, 'g'))) {
      for (const [, name] of code.matchAll(new RegExp(`(?<![\\w$.])${alias!.replaceAll('$', '\\$')}\\s*\\.\\s*([A-Za-z_$][\\w$]*)`, 'g'))) names.add(name!);
    }
    for (const [, list] of code.matchAll(new RegExp(`import\\s*\\{([^}]*)\\}\\s*from\\s*${quoted}`, 'g'))) {
      for (const name of list!.split(',')) if (name.trim()) names.add(name.trim().split(/\s+as\s+/)[0]!);
    }
  }
  return names;
};

/**
 * Writes one small module per AWS SDK package into `dir`, re-exporting only the names the project imports, so
 * the layer's copy of the SDK is tree-shaken to what the functions use; and one for zod, which the adapters
 * and the functions' own code both use, re-exporting the names the deployed code reads from `zod` and from `zod/mini` (`zodImports`), so zod
 * is loaded once per function and tree-shaken like the SDK. (Shipped whole in the layer, zod was four times
 * the tree-shaken copy and cost more init time than a second copy in each function; a copy on each side cost
 * every text function about 100 KB more to compile and evaluate at init.) Returns them as esbuild entry points
 * (`@aws-sdk/client-dynamodb/index` → the module).
 */
const writeSharedPackageEntries = (dir: string): Record<string, string> => {
  const entries: Record<string, string> = {};
  const write = (entry: string, text: string): void => {
    const file = path.join(dir, `${entry.replaceAll('/', '__')}.ts`);
    fs.writeFileSync(file, text);
    entries[entry] = file;
  };
  for (const [pkg, names] of [...awsSdkImports()].sort((a, b) => a[0].localeCompare(b[0]))) write(`${pkg}/index`, `export { ${[...names].sort().join(', ')} } from '${pkg}';\n`);
  for (const specifier of LAYER_THIRD_PARTY) {
    const names = [...zodImports(specifier)].sort();
    if (names.length) write(specifier.includes('/') ? specifier : `${specifier}/index`, `export { ${names.join(', ')} } from '${specifier}';\n`);
  }
  return entries;
};

/** What the lazily loaded adapters' build holds itself: x402 and every providers module outside the common one. */
const bundledWithLazyAdapters = (file: string): boolean => {
  const pkg = layerModuleOf(file)?.pkg;
  return pkg === 'x402' || (pkg === 'providers' && !insideProvidersCommon(file));
};

/**
 * The esbuild options of the layer, written under `outdir` (the layer's `nodejs/node_modules`): the project's
 * three packages and zod (`sharedPackages`: entry points from writeSharedPackageEntries). Other third-party code the
 * adapters use (viem, eventsource-parser, Powertools) is bundled into the packages' chunks. The AWS SDK is left
 * external: the project's modules import it from the layer's own SDK packages (sdkBuildOptions), as the functions do.
 */
export const layerBuildOptions = (
  outdir: string,
  sharedPackages: Record<string, string> = {},
  httpShim?: string,
  lazyProviders: Record<string, string> = {},
): BuildOptions & { metafile: true } => ({
  entryPoints: { ...Object.fromEntries(Object.entries(layerEntries()).filter(([entry]) => entry !== LAYER_CORE_MODULE && entry !== LAYER_PROVIDERS_MODULE && !ownFileEntries()[entry])), ...lazyProviders, ...sharedPackages },
  // The bottom tier and the adapters' common code are built apart, one module each (coreBuildOptions,
  // providersCommonBuildOptions): the lazily loaded adapters and x402 import them from there.
  plugins: [layerModulesExternal(bundledWithLazyAdapters)],
  // Third-party code bundled here (the tracer's X-Ray capture) imports node:http too: see writeHttpShim.
  ...(httpShim ? { alias: { 'node:http': httpShim, http: httpShim } } : {}),
  outdir,
  chunkNames: `${LAYER_SCOPE}/_chunks/[name]-[hash]`,
  outExtension: { '.js': '.mjs' },
  splitting: true,
  ...NODE_ESM_BUNDLE,
  minify: true,
  external: [...AWS_SDK_EXTERNAL],
  // The SDK entries are written outside the project; their imports resolve from its node_modules.
  nodePaths: [path.join(PROJECT_ROOT, 'node_modules')],
  metafile: true,
  logLevel: 'error',
  absWorkingDir: PROJECT_ROOT,
});

/**
 * The layer's AWS SDK packages (`sdkPackages`: the `@aws-sdk/*` entries of writeSharedPackageEntries), built on their
 * own. Each file a cold start loads costs init time apart from its size (resolving, reading, linking: about 0.4 ms a
 * file and 0.1 ms an import here), and esbuild splits shared code into one chunk per set of entries that reach it.
 * Built with the project's modules, the SDK's core was cut by every project module that reaches a client (17 chunks
 * for DynamoDB alone); built apart, only the SDK's own entries cut it.
 */
export const sdkBuildOptions = (outdir: string, sdkPackages: Record<string, string>, processShim?: string, httpShim?: string): BuildOptions & { metafile: true } => ({
  ...layerBuildOptions(outdir),
  entryPoints: sdkPackages,
  chunkNames: '@aws-sdk/_chunks/[name]-[hash]',
  external: [...SDK_FALLBACK_CREDENTIALS],
  plugins: [],
  ...(processShim || httpShim
    ? { alias: { ...(processShim ? { 'node:process': processShim, process: processShim } : {}), ...(httpShim ? { 'node:http': httpShim, http: httpShim } : {}) } }
    : {}),
});

/**
 * The credential providers the SDK's default chain imports() only when the environment holds no credentials (SSO,
 * shared ini files, web identity, a credential process, container or instance metadata): never in Lambda, which
 * sets AWS_ACCESS_KEY_ID and its session token in every function's environment (the chain's first link, fromEnv,
 * is bundled with the clients). Built with the clients, they and the nested STS/SSO clients they bring were so many
 * entries that esbuild cut the SDK's shared core into a dozen chunks, each a file a DynamoDB function loaded at
 * init. Left external there, they are packages of their own in the layer (sdkFallbackCredentialsBuildOptions),
 * with their own copy of what they use: the chain reads a failed link's `tryNextLink`, not its class.
 */
export const SDK_FALLBACK_CREDENTIALS = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
] as const;

/** Writes an entry per fallback credential provider, re-exporting the package. Returns them as esbuild entry points. */
const writeFallbackCredentialEntries = (dir: string): Record<string, string> =>
  Object.fromEntries(
    SDK_FALLBACK_CREDENTIALS.map((pkg) => {
      const file = path.join(dir, `${pkg.replaceAll('/', '__')}__index.ts`);
      fs.writeFileSync(file, `export * from '${pkg}';\n`);
      return [`${pkg}/index`, file];
    }),
  );

/** The fallback credential providers' own build: one SDK core of theirs, split between them. */
export const sdkFallbackCredentialsBuildOptions = (outdir: string, entries: Record<string, string>, processShim?: string, httpShim?: string): BuildOptions & { metafile: true } => ({
  ...sdkBuildOptions(outdir, entries, processShim, httpShim),
  chunkNames: '@aws-sdk/_credentials/[name]-[hash]',
  external: [],
});

/**
 * The SDK's user-agent code imports `env` and `versions` from `node:process`. Imported as an ES module, a Node
 * built-in gets a facade that reads each of its exports once, and `process`'s getters load modules no function
 * uses (process.report, process.finalization, …): 3–5 ms of every DynamoDB function's init here. The same values
 * read from the global `process` cost nothing. A name the SDK starts importing that this module does not export
 * fails the layer build (esbuild: no matching export), never a function at run time. Returns the module's path.
 */
const PROCESS_EXPORTS = ['env', 'versions'] as const;
const writeProcessShim = (dir: string): string => {
  const file = path.join(dir, 'node-process.mjs');
  fs.writeFileSync(file, `const p = globalThis.process;\nexport default p;\n${PROCESS_EXPORTS.map((name) => `export const ${name} = p.${name};`).join('\n')}\n`);
  return file;
};

/**
 * The SDK's HTTP handler imports `node:http` (on the first request to an http: endpoint: a local stand-in, never
 * AWS), and so does the tracer's X-Ray capture (when tracing is on). As an ES module, node:http gets a facade that
 * reads every export once, and its lazy `WebSocket` export loads Node's bundled undici: 35–47 ms of CPU here, which
 * no function otherwise loads (the provider transport avoids it too, node-fetch.ts). The module from
 * `process.getBuiltinModule` is the same object without the facade. A name the bundled code starts importing that
 * this module does not export fails the layer build, as with the process shim.
 */
const writeHttpShim = (dir: string): string => {
  const file = path.join(dir, 'node-http.mjs');
  fs.writeFileSync(file, `const http = globalThis.process.getBuiltinModule('node:http');\nexport default http;\nexport const { Agent, request } = http;\n`);
  return file;
};

/** A module re-exporting every export of `modules`, written into `dir` as `name`. Returns its path. */
const writeIndex = (dir: string, name: string, modules: readonly string[]): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, modules.map((module) => `export * from ${JSON.stringify(module)};\n`).join(''));
  return file;
};

/**
 * The bottom tier as one module, `@compose-inference/core/index` (layer-modules.ts): every core module
 * with the third-party code it uses (Powertools, eventsource-parser) in one file, zod and the AWS SDK imported
 * from the layer's packages. Split only where core itself imports lazily (the tracer, when tracing is on).
 */
export const coreBuildOptions = (outdir: string, indexFile: string, httpShim?: string): BuildOptions & { metafile: true } => ({
  ...layerBuildOptions(outdir, {}, httpShim),
  entryPoints: { [LAYER_CORE_MODULE]: indexFile },
  chunkNames: `${LAYER_SCOPE}/core/_chunks/[name]-[hash]`,
  // Core imports no zod today; if it starts to, it takes the layer's copy, as the adapters do.
  external: [...AWS_SDK_EXTERNAL, 'zod'],
  plugins: [],
});

/**
 * Two modules of a one-module build (core, the adapters' common module) exporting one name would make it ambiguous
 * there (`export *` drops it, and an import of it fails to link at init). esbuild refuses to bundle an import of an ambiguous name, so this imports
 * every name the core module exports: the layer build fails instead of a function.
 */
const assertNoAmbiguousExports = (indexFile: string, names: readonly string[]): void => {
  buildSync({
    stdin: { contents: `export { ${names.join(', ')} } from ${JSON.stringify(indexFile)};\n`, resolveDir: path.dirname(indexFile), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
};

/**
 * The adapters' common code as one module, `@compose-inference/providers/index` (layer-modules.ts): the providers
 * modules the functions import and what they import statically, in one file; core, zod and the SDK imported from
 * the layer's packages; what the registries import() on a provider's first call imported by its own file
 * (`@compose-inference/providers/gemini/model`), which the next build writes (layerBuildOptions' `lazyProviders`).
 */
export const providersCommonBuildOptions = (outdir: string, indexFile: string, httpShim?: string): BuildOptions & { metafile: true } => ({
  ...layerBuildOptions(outdir, {}, httpShim),
  entryPoints: { [LAYER_PROVIDERS_MODULE]: indexFile },
  chunkNames: `${LAYER_SCOPE}/providers/_chunks/[name]-[hash]`,
  plugins: [layerModulesExternal(insideProvidersCommon), layerThirdParty()],
});

/** The providers modules with a file of their own (PROVIDERS_OWN_FILES), as esbuild entry points. */
const ownFileEntries = (): Record<string, string> =>
  Object.fromEntries(
    PROVIDERS_OWN_FILES.map((module) => {
      const target = layerModuleOf(path.join(PROJECT_ROOT, module))!;
      return [layerSpecifier(target.pkg, target.module), path.join(PROJECT_ROOT, module)];
    }),
  );

/**
 * The providers modules with a file of their own, each bundling the providers code it reaches (a copy: constants
 * and pure functions), the bottom tier, zod and the SDK imported from the layer's packages.
 */
export const providersOwnFilesBuildOptions = (outdir: string, httpShim?: string): BuildOptions & { metafile: true } => ({
  ...layerBuildOptions(outdir, {}, httpShim),
  entryPoints: ownFileEntries(),
  chunkNames: `${LAYER_SCOPE}/providers/_own/[name]-[hash]`,
  plugins: [layerModulesExternal((file) => layerModuleOf(file)?.pkg === 'providers'), layerThirdParty()],
});

/**
 * The async part of the layer's build (build-layer-project.ts runs it in a child process: its builds need plugins,
 * which esbuild's synchronous API does not run): the adapters' common module, the credentials' own file, then the
 * lazily loaded adapters, x402 and zod (layerBuildOptions). Returns their metafile.
 */
export const buildProjectPackagesAsync = async (scratch: string, outdir: string, sharedPackages: Record<string, string>, httpShim: string): Promise<Metafile> => {
  // Every module it holds, not only the functions' entries: the lazily loaded adapters import from any of them.
  const index = writeIndex(scratch, 'providers-index.ts', [...providersCommonModules()].sort().map((module) => path.join(PROJECT_ROOT, module)));
  const common = await build(providersCommonBuildOptions(outdir, index, httpShim));
  const commonOutput = Object.values(common.metafile.outputs).find((output) => output.entryPoint !== undefined);
  assertNoAmbiguousExports(index, commonOutput?.exports ?? []);
  const lazyProviders: Record<string, string> = {};
  for (const output of Object.values(common.metafile.outputs)) {
    for (const edge of output.imports) {
      const module = edge.external && edge.path.startsWith(`${LAYER_SCOPE}/providers/`) ? edge.path.slice(`${LAYER_SCOPE}/providers/`.length) : undefined;
      if (module && edge.path !== LAYER_PROVIDERS_MODULE) lazyProviders[edge.path] = path.join(PROJECT_ROOT, LAYER_PACKAGES.providers, `${module}.ts`);
    }
  }
  const own = await build(providersOwnFilesBuildOptions(outdir, httpShim));
  const rest = await build(layerBuildOptions(outdir, sharedPackages, httpShim, lazyProviders));
  return {
    inputs: { ...common.metafile.inputs, ...own.metafile.inputs, ...rest.metafile.inputs },
    outputs: { ...common.metafile.outputs, ...own.metafile.outputs, ...rest.metafile.outputs },
  };
};

/**
 * The adapters' and x402's build (layerBuildOptions) in a child process (build-layer-project.ts): it needs a plugin
 * (the bottom tier external), which esbuild's synchronous API does not run. Returns its metafile.
 */
const buildProjectPackages = (scratch: string, outdir: string, sharedPackages: Record<string, string>, httpShim: string): { metafile: Metafile } => {
  const request = path.join(scratch, 'project-request.json');
  const metafile = path.join(scratch, 'project-meta.json');
  fs.writeFileSync(request, JSON.stringify({ scratch, outdir, sharedPackages, httpShim, metafile }));
  const script = path.join(PROJECT_ROOT, 'infra', 'lib', 'build-layer-project.ts');
  const run = spawnSync(process.execPath, [script, request], { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error('esbuild failed for the layer’s adapter and x402 packages');
  return { metafile: JSON.parse(fs.readFileSync(metafile, 'utf8')) as Metafile };
};

/** package.json of one layer package: ESM, every module a subpath (`./openai/profile` → `./openai/profile.mjs`). */
const packageJson = (pkg: LayerPackage, hasIndex: boolean): string =>
  `${JSON.stringify(
    {
      name: `${LAYER_SCOPE}/${pkg}`,
      private: true,
      type: 'module',
      description: `Compose Inference ${LAYER_PACKAGES[pkg]}, built for the shared Lambda layer`,
      exports: { ...(hasIndex ? { '.': './index.mjs' } : {}), './*': './*.mjs' },
    },
    null,
    2,
  )}\n`;

export interface BuiltLayerCode {
  /** The `nodejs/node_modules` folder written (what /opt/nodejs/node_modules holds in Lambda). */
  readonly nodeModules: string;
  readonly metafile: Metafile;
  /** Bytes of the JavaScript written (all packages and chunks). */
  readonly bytes: number;
}

const sharedPackageJson = (pkg: string, exports: Record<string, string>): string =>
  `${JSON.stringify({ name: pkg, private: true, type: 'module', description: `${pkg}, built for the Compose Inference shared layer`, exports }, null, 2)}\n`;

/**
 * Builds the layer's code into `<root>/nodejs/node_modules/` (root: what Lambda mounts at /opt): the three
 * `@compose-inference/*` packages and the AWS SDK packages, each with its package.json.
 */
export const buildLayerCode = (root: string): BuiltLayerCode => {
  const nodeModules = path.join(root, LAYER_NODE_MODULES);
  const shims = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-layer-sdk-'));
  try {
    const shared = writeSharedPackageEntries(shims);
    const isSdk = ([entry]: [string, string]): boolean => entry.startsWith('@aws-sdk/');
    const httpShim = writeHttpShim(shims);
    const processShim = writeProcessShim(shims);
    const credentials = writeFallbackCredentialEntries(shims);
    const sdkMain = buildSync(sdkBuildOptions(nodeModules, Object.fromEntries(Object.entries(shared).filter(isSdk)), processShim, httpShim));
    const sdkCredentials = buildSync(sdkFallbackCredentialsBuildOptions(nodeModules, credentials, processShim, httpShim));
    const sdk = {
      metafile: { inputs: { ...sdkMain.metafile.inputs, ...sdkCredentials.metafile.inputs }, outputs: { ...sdkMain.metafile.outputs, ...sdkCredentials.metafile.outputs } },
    };
    const coreIndex = writeIndex(shims, 'core-index.ts', coreModules());
    const core = buildSync(coreBuildOptions(nodeModules, coreIndex, httpShim));
    const coreOutput = Object.values(core.metafile.outputs).find((output) => output.entryPoint !== undefined);
    assertNoAmbiguousExports(coreIndex, coreOutput?.exports ?? []);
    const project = buildProjectPackages(shims, nodeModules, Object.fromEntries(Object.entries(shared).filter((entry) => !isSdk(entry))), httpShim);
    const result = {
      metafile: {
        inputs: { ...sdk.metafile.inputs, ...core.metafile.inputs, ...project.metafile.inputs },
        outputs: { ...sdk.metafile.outputs, ...core.metafile.outputs, ...project.metafile.outputs },
      },
    };
    const entries = Object.keys(layerEntries());
    for (const pkg of Object.keys(LAYER_PACKAGES) as LayerPackage[]) {
      fs.mkdirSync(path.join(nodeModules, LAYER_SCOPE, pkg), { recursive: true });
      fs.writeFileSync(path.join(nodeModules, LAYER_SCOPE, pkg, 'package.json'), packageJson(pkg, entries.includes(`${LAYER_SCOPE}/${pkg}/index`)));
    }
    // `@aws-sdk/client-s3/index` → package @aws-sdk/client-s3, export '.'; `zod/mini` → package zod, export './mini'.
    const packages = new Map<string, Record<string, string>>();
    for (const entry of [...Object.keys(shared), ...Object.keys(credentials)]) {
      const parts = entry.split('/');
      const pkg = parts.slice(0, entry.startsWith('@') ? 2 : 1).join('/');
      const subpath = parts.slice(pkg.split('/').length).join('/');
      packages.set(pkg, { ...packages.get(pkg), [subpath === 'index' ? '.' : `./${subpath}`]: `./${subpath}.mjs` });
    }
    for (const [pkg, exports] of packages) fs.writeFileSync(path.join(nodeModules, pkg, 'package.json'), sharedPackageJson(pkg, exports));
    const bytes = Object.entries(result.metafile.outputs)
      .filter(([file]) => file.endsWith('.mjs'))
      .reduce((sum, [, output]) => sum + output.bytes, 0);
    return { nodeModules, metafile: result.metafile, bytes };
  } finally {
    fs.rmSync(shims, { recursive: true, force: true });
  }
};

/**
 * `buildLayerCode(root)` through the bundle cache (bundle-cache.ts): with one set, a copy of the same build when
 * one was made from the same sources. What the stack's layer (shared-layer.ts) and the layer's run test use.
 */
export const buildLayerCodeCached = (root: string): void => cachedBuild('layer', layerBuildOptions(''), root, (dir) => buildLayerCode(dir));
