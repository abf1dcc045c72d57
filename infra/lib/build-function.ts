/**
 * `node infra/lib/build-function.ts <function> <outdir> [--source-maps]`: one function's deployed build
 * (function-bundle.ts), in its own process. The CDK bundles synchronously, and esbuild's synchronous API runs
 * no plugins, which the build needs to leave the shared layer's modules external (layer-packages.ts).
 */
import { build } from 'esbuild';
import { functionBuildOptions } from './function-bundle.ts';

const [name, outdir, ...flags] = process.argv.slice(2);
if (!name || !outdir) throw new Error('usage: build-function.ts <function> <outdir> [--source-maps]');
const { metafile: _, ...options } = functionBuildOptions(name, outdir, { sourceMaps: flags.includes('--source-maps') });
await build(options);
