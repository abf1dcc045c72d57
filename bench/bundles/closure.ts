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
}

const reach = (metafile: Metafile, from: string, follow: (kind: string) => boolean): Set<string> => {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file) || !metafile.inputs[file]) continue;
    seen.add(file);
    for (const edge of metafile.inputs[file]!.imports) if (!edge.external && follow(edge.kind)) stack.push(edge.path);
  }
  return seen;
};

/** The closure of `entry` (a metafile input path, relative to the build's working directory). */
export const importClosure = (metafile: Metafile, entry: string): Closure => {
  const all = reach(metafile, entry, () => true);
  const eager = reach(metafile, entry, (kind) => kind !== 'dynamic-import');
  return { static: eager, lazy: new Set([...all].filter((f) => !eager.has(f))) };
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
}

const countGroups = (inputs: Iterable<string>): Array<[string, number]> => {
  const counts = new Map<string, number>();
  for (const input of inputs) {
    const group = trackedGroupOf(input);
    if (group) counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
};

export const summarizeClosure = (closure: Closure): ClosureSummary => ({
  staticModules: closure.static.size,
  staticProjectModules: [...closure.static].filter(isProjectModule).length,
  lazyModules: closure.lazy.size,
  groups: countGroups(closure.static),
  lazyGroups: countGroups(closure.lazy),
});
