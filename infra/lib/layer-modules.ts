/**
 * Which files of the shared layer a module of layers/ is in (layer-bundle.ts builds them, the function builds
 * and the layer's own builds import them by these specifiers). Each file a cold start loads costs init time apart
 * from its size (resolving, reading, linking: about 0.4 ms a file and 0.1 ms an import here), and esbuild's code
 * splitting cuts one chunk per set of entries that reach a module, so a file per module left the inference
 * function loading ~30 small layer files at init. So:
 *
 * - the bottom tier (layers/core) is one module, `@compose-inference/core/index`: every function and every adapter
 *   loads most of it at init (errors and logging with Powertools, whose code is most of its bytes);
 * - the adapters' common code, every providers module the functions import with what it imports statically (the
 *   registries, credentials, the HTTP transport, the OpenAI-compatible adapter and the providers' profiles), is one
 *   module, `@compose-inference/providers/index`; what the registries import on a provider's first call (Gemini,
 *   Vertex, each media adapter) stays a file per module, importing the common module;
 * - a providers module the workers import without the registries (credentials: PROVIDERS_OWN_FILES) is a file of
 *   its own;
 * - x402 keeps a file per module (loaded on the first x402 request, and split so that paying does not load the
 *   Sign-In-With-X verifier).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync, type Metafile, type Plugin } from 'esbuild';
import { LAYER_PACKAGES, LAYER_SCOPE, layerModuleOf, layerSpecifier } from './layer-packages.ts';
import { PROJECT_ROOT } from './paths.ts';

export const LAYER_CORE_MODULE = `${LAYER_SCOPE}/core/index`;
export const LAYER_PROVIDERS_MODULE = `${LAYER_SCOPE}/providers/index`;

/** The TypeScript sources under `dir` (tests, declarations, generated files and node_modules aside). */
export const sourceFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' || entry.name === 'node_modules' ? [] : sourceFiles(file);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });

const relative = (file: string): string => path.relative(PROJECT_ROOT, file).split(path.sep).join('/');

/** Every layers/ module a file of shared/ or functions/ names in an import, as absolute paths. */
export const importedLayerFiles = (): string[] => {
  const files = new Set<string>();
  const pattern = /['"]((?:\.\.?\/)+layers\/(?:core|providers|x402)\/[^'"]+\.ts)['"]/g;
  for (const file of ['shared', 'functions'].flatMap((dir) => sourceFiles(path.join(PROJECT_ROOT, dir)))) {
    for (const [, specifier] of fs.readFileSync(file, 'utf8').matchAll(pattern)) {
      const target = path.resolve(path.dirname(file), specifier!);
      if (layerModuleOf(target)) files.add(target);
    }
  }
  return [...files].sort();
};

/**
 * Providers modules a function imports that keep a file of their own, outside the common module, with their own
 * copy of the little they import (constants and pure functions): the settlement worker reads provider secrets
 * (credentials) and calls no provider, so it must not load the registries, the transport and zod with them.
 * Nothing in the common module imports them but their types.
 */
export const PROVIDERS_OWN_FILES: readonly string[] = ['layers/providers/credentials.ts'];

/** The providers modules the functions import, but those with their own file: the common module's entry points. */
export const providersCommonEntries = (): string[] =>
  importedLayerFiles().filter((file) => layerModuleOf(file)?.pkg === 'providers' && !PROVIDERS_OWN_FILES.includes(relative(file)));

/** The bottom tier's runtime modules: every source file of layers/core. */
export const coreModules = (): string[] => sourceFiles(path.join(PROJECT_ROOT, LAYER_PACKAGES.core)).filter((file) => layerModuleOf(file)?.pkg === 'core').sort();

let common: ReadonlySet<string> | undefined;
/**
 * The providers modules in `@compose-inference/providers/index` (project-relative paths): the common entries and
 * every providers module they reach through static imports (not through an import()).
 */
export const providersCommonModules = (): ReadonlySet<string> => {
  if (common) return common;
  const { metafile } = buildSync({
    stdin: { contents: providersCommonEntries().map((file) => `export * from ${JSON.stringify(file)};\n`).join(''), resolveDir: PROJECT_ROOT, loader: 'ts', sourcefile: 'providers-common.ts' },
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  });
  const inputs = (metafile as Metafile).inputs;
  const seen = new Set<string>();
  const stack = Object.keys(inputs).filter((input) => input.endsWith('providers-common.ts'));
  while (stack.length) {
    const input = stack.pop()!;
    if (seen.has(input)) continue;
    seen.add(input);
    for (const edge of inputs[input]?.imports ?? []) if (edge.kind === 'import-statement' && !edge.external) stack.push(edge.path);
  }
  common = new Set([...seen].filter((input) => layerModuleOf(path.join(PROJECT_ROOT, input))?.pkg === 'providers'));
  return common;
};

/** Where an import of layer module `file` points: the core module, the providers' common module, or its own file. */
export const layerFileOf = (file: string): string | undefined => {
  const target = layerModuleOf(file);
  if (!target) return undefined;
  if (target.pkg === 'core') return LAYER_CORE_MODULE;
  if (target.pkg === 'providers' && providersCommonModules().has(relative(file))) return LAYER_PROVIDERS_MODULE;
  return layerSpecifier(target.pkg, target.module);
};

/**
 * esbuild plugin: every relative import that resolves into layers/ is left external as the layer file holding it
 * (layerFileOf), except the modules `inside` says this build bundles itself.
 */
export const layerModulesExternal = (inside: (file: string) => boolean = () => false): Plugin => ({
  name: 'compose-layer-modules',
  setup(build) {
    build.onResolve({ filter: /^\.{1,2}\// }, (args) => {
      if (!args.importer) return undefined;
      const file = path.resolve(args.resolveDir, args.path);
      if (inside(file)) return undefined;
      const specifier = layerFileOf(file);
      return specifier ? { path: specifier, external: true } : undefined;
    });
  },
});

/** For the common module's own build: the providers modules it holds are bundled, other layer modules imported. */
export const insideProvidersCommon = (file: string): boolean => providersCommonModules().has(relative(file));
