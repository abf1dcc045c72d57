/**
 * A function's import closure, read from esbuild's metafile: the modules its entry reaches through static
 * imports (`import`, `require`) — what Node evaluates at module init — and those only reached through a
 * dynamic `import()`, which the split bundle puts in chunks loaded and evaluated on first use. Modules are grouped
 * by the top-level folders issue 14 tracks (shared/media, shared/videos, layers/providers/<name>, layers/x402,
 * the AWS SDK clients, viem).
 */
import type { Metafile } from 'esbuild';

export interface Closure {
  /** Inputs reached from the entry through static imports only, entry included. */
  readonly static: ReadonlySet<string>;
  /** Inputs in the bundle reached only through a dynamic `import()` somewhere on the way. */
  readonly lazy: ReadonlySet<string>;
  /**
   * Packages left external (Node built-ins excluded) that those inputs import: the shared layer's modules
   * (`@compose-inference/providers/registry`) and the AWS SDK. `static`: imported by a static input with a
   * static import; `lazy`: imported only behind an import() (or by lazily loaded inputs).
   */
  readonly external: { readonly static: ReadonlySet<string>; readonly lazy: ReadonlySet<string> };
}

const reach = (metafile: Metafile, from: string, follow: (kind: string) => boolean): { inputs: Set<string>; external: Set<string> } => {
  const seen = new Set<string>();
  const external = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file) || !metafile.inputs[file]) continue;
    seen.add(file);
    for (const edge of metafile.inputs[file]!.imports) {
      if (!follow(edge.kind)) continue;
      if (!edge.external) stack.push(edge.path);
      else if (!edge.path.startsWith('node:') && !/^[a-z_]+$/.test(edge.path)) external.add(edge.path);
    }
  }
  return { inputs: seen, external };
};

/** The closure of `entry` (a metafile input path, relative to the build's working directory). */
export const importClosure = (metafile: Metafile, entry: string): Closure => {
  const all = reach(metafile, entry, () => true);
  const eager = reach(metafile, entry, (kind) => kind !== 'dynamic-import');
  return {
    static: eager.inputs,
    lazy: new Set([...all.inputs].filter((f) => !eager.inputs.has(f))),
    external: { static: eager.external, lazy: new Set([...all.external].filter((f) => !eager.external.has(f))) },
  };
};

/** `@compose-inference/providers/openai/profile` → `layers/providers/openai/profile.ts`: the layer module's source. */
export const layerSourceOf = (specifier: string): string | undefined => {
  const match = /^@compose-inference\/(core|providers|x402)\/(.+)$/.exec(specifier);
  return match ? `layers/${match[1]}/${match[2]}.ts` : undefined;
};

/** The input whose path ends with `suffix` (metafile paths are relative and may climb out of the project). */
export const inputEndingWith = (metafile: Metafile, suffix: string): string => {
  const found = Object.keys(metafile.inputs).find((path) => path === suffix || path.endsWith(`/${suffix}`));
  if (!found) throw new Error(`${suffix} is not an input of this build`);
  return found;
};

export const isProjectModule = (input: string): boolean => !input.includes('node_modules/');

/** The npm package of a bundled dependency (`@scope/name` or `name`), undefined for a project module. */
export const packageOf = (input: string): string | undefined => {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
};

/**
 * The tracked group a module belongs to, or undefined: shared/media, shared/videos, layers/providers/<name>
 * (the provider adapters; files directly in layers/providers/ are `layers/providers (common)`), layers/x402,
 * `@aws-sdk/<client>` for the service clients (the SDK's core packages are `aws-sdk (core)`), viem.
 */
export const trackedGroupOf = (input: string): string | undefined => {
  const source = layerSourceOf(input);
  if (source) return trackedGroupOf(source);
  if (input.startsWith('@aws-sdk/')) return trackedGroupOf(`node_modules/${input}/index.js`);
  const pkg = packageOf(input);
  if (pkg !== undefined) {
    if (pkg.startsWith('@aws-sdk/client-') || pkg === '@aws-sdk/lib-dynamodb' || pkg === '@aws-sdk/s3-request-presigner') return pkg;
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws-crypto/')) return 'aws-sdk (core)';
    if (pkg === 'viem' || pkg === 'ox' || pkg.startsWith('@noble/') || pkg.startsWith('@scure/') || pkg === 'abitype') return 'viem';
    return undefined;
  }
  const path = input.replace(/^(\.\.\/)+/, '');
  if (path.startsWith('shared/media/')) return 'shared/media';
  if (path.startsWith('shared/videos/')) return 'shared/videos';
  if (path.startsWith('layers/x402/')) return 'layers/x402';
  const provider = /^layers\/providers\/([^/]+)\//.exec(path);
  if (provider) return `layers/providers/${provider[1]}`;
  if (path.startsWith('layers/providers/')) return 'layers/providers (common)';
  return undefined;
};

export interface ClosureSummary {
  readonly staticModules: number;
  readonly staticProjectModules: number;
  readonly lazyModules: number;
  /** Static modules per tracked group, largest first. */
  readonly groups: ReadonlyArray<readonly [string, number]>;
  /** Groups present only behind a dynamic import(), with their module counts. */
  readonly lazyGroups: ReadonlyArray<readonly [string, number]>;
  /** What the function imports from the shared layer: its packages' modules and the AWS SDK packages. */
  readonly fromLayer: { readonly static: readonly string[]; readonly lazy: readonly string[] };
}

const countGroups = (inputs: Iterable<string>): Array<[string, number]> => {
  const counts = new Map<string, number>();
  for (const input of inputs) {
    const group = trackedGroupOf(input);
    if (group) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

/**
 * Module counts are the bundle's own inputs; the groups also count the layer modules and SDK packages the
 * function imports from the shared layer (one per imported module, not their own imports inside the layer).
 */
export const summarizeClosure = (closure: Closure): ClosureSummary => ({
  staticModules: closure.static.size,
  staticProjectModules: [...closure.static].filter(isProjectModule).length,
  lazyModules: closure.lazy.size,
  groups: countGroups([...closure.static, ...closure.external.static]),
  lazyGroups: countGroups([...closure.lazy, ...closure.external.lazy]),
  fromLayer: { static: [...closure.external.static].sort(), lazy: [...closure.external.lazy].sort() },
});
