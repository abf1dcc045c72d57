/**
 * How the Lambda Node.js runtime (18 and later) finds an ES module's bare specifier that no node_modules folder
 * above the importing file holds: it searches the folders on NODE_PATH, in order, as CommonJS `require` does
 * (AWS Lambda Developer Guide, "Designating a function handler as an ES module"). Plain Node ignores NODE_PATH
 * for ES modules, so a process that runs a function bundle as Lambda would (the bundle bench's init probe, the
 * lambda host, the layer test) installs this resolve hook first.
 *
 * In Lambda NODE_PATH is `/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:…`:
 * the layers first, then the runtime's AWS SDK. `lambdaNodePath` builds the same list for a layer laid out in a
 * local folder, with the project's node_modules standing in for /var/runtime/node_modules.
 */
import { registerHooks } from 'node:module';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const isBare = (specifier: string): boolean => !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);

const notFound = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'ERR_MODULE_NOT_FOUND';

/**
 * NODE_PATH of a function whose layers are unpacked under `opt` (Lambda's /opt), optionally followed by a
 * stand-in for the runtime's own SDK folder (the shared layer carries the SDK the functions use, so none is needed).
 */
export const lambdaNodePath = (opt: string, runtimeNodeModules?: string): string =>
  [join(opt, 'nodejs', 'node24', 'node_modules'), join(opt, 'nodejs', 'node_modules'), ...(runtimeNodeModules ? [runtimeNodeModules] : [])].join(':');

/** Where bench/bundles/build.ts puts the shared layer for the bundles it builds: `<outDir>/opt`, beside `<outDir>/<function>/`. */
export const layerBesideBundle = (bundleFile: string): string => join(dirname(bundleFile), '..', 'opt');

/**
 * Lambda's resolution for a process about to import `bundleFile`: from NODE_PATH when the environment sets it
 * (as Lambda does), else from the layer bench/bundles/build.ts built beside the bundle, when there is one.
 */
export const installLambdaResolutionFor = (bundleFile: string, env: NodeJS.ProcessEnv = process.env): void => {
  const taskRoot = dirname(bundleFile);
  if (env.NODE_PATH) return installLambdaResolution(env.NODE_PATH, taskRoot);
  const opt = layerBesideBundle(bundleFile);
  if (existsSync(join(opt, 'nodejs', 'node_modules'))) installLambdaResolution(lambdaNodePath(opt), taskRoot);
};

/**
 * Resolves bare specifiers the normal way, then from each `node_modules` folder on `nodePath` (NODE_PATH's
 * format). `taskRoot`: the folder standing in for /var/task. In Lambda no node_modules lies above it, so its
 * files' bare imports go to NODE_PATH straight away; here the folder may sit inside the project, whose
 * node_modules (an unbundled AWS SDK among them) Lambda would never see.
 */
export const installLambdaResolution = (nodePath: string, taskRoot?: string): void => {
  const folders = nodePath.split(':').filter((folder) => folder && basename(folder) === 'node_modules');
  if (!folders.length) return;
  const taskUrl = taskRoot === undefined ? undefined : pathToFileURL(join(taskRoot, '/')).href;
  const fromNodePath: ResolveHook = (specifier, context, nextResolve) => {
    for (const folder of folders) {
      // Resolving from a file beside `folder` makes Node look in `folder` first (and its parents after).
      try {
        return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(folder, '..', '[node-path].mjs')).href });
      } catch (inner) {
        if (!notFound(inner)) throw inner;
      }
    }
    return undefined;
  };
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (taskUrl && isBare(specifier) && context.parentURL?.startsWith(taskUrl)) {
        const found = fromNodePath(specifier, context, nextResolve);
        if (found) return found;
      }
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (!notFound(error) || !isBare(specifier)) throw error;
        const found = fromNodePath(specifier, context, nextResolve);
        if (found) return found;
        throw error;
      }
    },
  });
};

type ResolveHook = (
  specifier: string,
  context: Parameters<Parameters<typeof registerHooks>[0]['resolve'] & object>[1],
  nextResolve: Parameters<Parameters<typeof registerHooks>[0]['resolve'] & object>[2],
) => ReturnType<Parameters<typeof registerHooks>[0]['resolve'] & object> | undefined;
