/**
 * What the shared layer's packages are and how a function bundle names them (layer-bundle.ts builds them,
 * function-bundle.ts leaves them external): the bottom tier layers/core and the adapters layers/providers and
 * layers/x402, as `@compose-inference/core`, `@compose-inference/providers` and `@compose-inference/x402`,
 * each source module a subpath (`@compose-inference/providers/openai-compatible/adapter`).
 */
import * as path from 'node:path';
import { PROJECT_ROOT } from './paths.ts';

/** The npm scope of the layer's packages. */
export const LAYER_SCOPE = '@compose-inference';

/** Source folder → package: the bottom tier and the two adapter tiers. */
export const LAYER_PACKAGES = { core: 'layers/core', providers: 'layers/providers', x402: 'layers/x402' } as const;
export type LayerPackage = keyof typeof LAYER_PACKAGES;

/**
 * Third-party specifiers the function bundles import from the layer (left external) instead of bundling a copy:
 * zod, which the adapters use too, and its mini API, which the catalog's validation uses and which shares zod's
 * core (layer-bundle.ts writes the layer's `zod` package with both).
 */
export const LAYER_THIRD_PARTY = ['zod', 'zod/mini'] as const;

/** Where the packages sit in the layer zip (Lambda mounts it at /opt): the folder the runtime puts on NODE_PATH. */
export const LAYER_NODE_MODULES = path.join('nodejs', 'node_modules');

/** Source modules that are build tooling, not runtime code: the Solidity sources and their compiler script. */
const NOT_IN_LAYER = /(^|\/)contracts\/|\.test\.ts$|\.d\.ts$/;

/** The layer package and module a project file belongs to, or undefined for any other file. */
export const layerModuleOf = (file: string): { pkg: LayerPackage; module: string } | undefined => {
  const relative = path.relative(PROJECT_ROOT, file).split(path.sep).join('/');
  for (const [pkg, folder] of Object.entries(LAYER_PACKAGES) as Array<[LayerPackage, string]>) {
    if (!relative.startsWith(`${folder}/`) || !relative.endsWith('.ts')) continue;
    const module = relative.slice(folder.length + 1, -'.ts'.length);
    return NOT_IN_LAYER.test(`${folder}/${module}.ts`) ? undefined : { pkg, module };
  }
  return undefined;
};

/** `@compose-inference/providers/openai-compatible/adapter`: the specifier a function bundle imports a layer module by. */
export const layerSpecifier = (pkg: LayerPackage, module: string): string => `${LAYER_SCOPE}/${pkg}/${module}`;
