/**
 * `node infra/lib/build-layer-project.ts <request.json>`: the layer's build of the adapters and x402
 * (layer-bundle.ts, layerBuildOptions), in its own process, as build-function.ts builds a function: the layer is
 * built synchronously (the CDK bundles so), and esbuild's synchronous API runs no plugins, which this build needs
 * to import the bottom tier from its one module (function-bundle.ts, layerCoreAsOneModule). The request names the
 * output folder, the shared package entries and the http shim; the metafile is written where it says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { layerBuildOptions } from './layer-bundle.ts';

const [requestFile] = process.argv.slice(2);
if (!requestFile) throw new Error('usage: build-layer-project.ts <request.json>');
const request = JSON.parse(readFileSync(requestFile, 'utf8')) as { outdir: string; sharedPackages: Record<string, string>; httpShim?: string; metafile: string };
const { metafile } = await build(layerBuildOptions(request.outdir, request.sharedPackages, request.httpShim));
writeFileSync(request.metafile, JSON.stringify(metafile));
