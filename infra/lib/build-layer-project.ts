/**
 * `node infra/lib/build-layer-project.ts <request.json>`: the layer's builds of the adapters and x402
 * (layer-bundle.ts, buildProjectPackagesAsync), in their own process, as build-function.ts builds a function: the layer is
 * built synchronously (the CDK bundles so), and esbuild's synchronous API runs no plugins, which these builds need
 * to import the bottom tier and the adapters' common code from their modules (layer-modules.ts). The request names the
 * output folder, the shared package entries and the http shim; the metafile is written where it says.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { buildProjectPackagesAsync } from './layer-bundle.ts';

const [requestFile] = process.argv.slice(2);
if (!requestFile) throw new Error('usage: build-layer-project.ts <request.json>');
const request = JSON.parse(readFileSync(requestFile, 'utf8')) as { scratch: string; outdir: string; sharedPackages: Record<string, string>; httpShim: string; metafile: string };
const metafile = await buildProjectPackagesAsync(request.scratch, request.outdir, request.sharedPackages, request.httpShim);
writeFileSync(request.metafile, JSON.stringify(metafile));
