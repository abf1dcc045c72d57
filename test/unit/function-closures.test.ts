/**
 * Issue 14: each function evaluates at init only what its routes use. The inference and external functions
 * answer media Responses and video jobs too, but load that code on first use (functions/inference/media-responses.ts),
 * so their static import closure — read from esbuild's metafile of the bundle the CDK builds — holds no
 * media- or video-only module. Health stays a handful of modules.
 */
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { importClosure, inputEndingWith, isProjectModule, packageOf, type Closure } from '../../bench/bundles/closure.ts';
import { functionBuildOptions, functionEntry } from '../../infra/lib/function-bundle.ts';

const FUNCTIONS = ['inference', 'external', 'health'];

/**
 * One esbuild run for the three entries (their graphs are resolved as each function's own build resolves
 * them), in memory, without minifying: only the metafile is read.
 */
let built: Promise<Metafile> | undefined;
const metafile = (): Promise<Metafile> => {
  const options = functionBuildOptions('inference', '/nonexistent');
  // Three entries in one build: each keeps its folder (the deploy builds one entry, named index).
  built ??= build({ ...options, entryPoints: FUNCTIONS.map(functionEntry), entryNames: '[dir]/index', write: false, minify: false }).then((r) => r.metafile);
  return built;
};

const closureOf = async (name: string): Promise<{ closure: Closure }> => {
  const meta = await metafile();
  return { closure: importClosure(meta, inputEndingWith(meta, functionEntry(name))) };
};

const project = (inputs: Iterable<string>): string[] => [...inputs].filter(isProjectModule).map((p) => p.replace(/^(\.\.\/)+/, ''));

/** The media and video families' code: their folders, their functions' service roots, Responses served as media. */
const MEDIA_OR_VIDEO = /^(shared\/media\/|shared\/videos\/|shared\/inference\/media-responses\/|functions\/media\/|functions\/videos\/)/;

/**
 * What a text function needs of them to dispatch without loading them: whether a Responses body asks for media
 * (and the field readers that check imports), and whether an id is a video job's.
 */
const DISPATCH_ONLY = ['shared/inference/media-responses/request.ts', 'shared/media/fields.ts', 'shared/videos/ids.ts'];

describe.each(['inference', 'external'])('the %s function', (name) => {
  it('evaluates no media- or video-only module at init', async () => {
    const { closure } = await closureOf(name);
    const mediaAtInit = project(closure.static).filter((p) => MEDIA_OR_VIDEO.test(p) && !DISPATCH_ONLY.includes(p));
    expect(mediaAtInit).toEqual([]);
    // Nor the media provider adapters: the text adapters' registry is all a text route resolves through.
    expect(project(closure.static)).not.toContain('layers/providers/media-registry.ts');
  });

  it('still bundles the media and video roots, behind a dynamic import()', async () => {
    const { closure } = await closureOf(name);
    const lazy = project(closure.lazy);
    expect(lazy).toContain('functions/media/media-services.ts');
    expect(lazy).toContain('functions/videos/video-services.ts');
    expect(lazy).toContain('shared/inference/media-responses/index.ts');
  });
});

describe('the health function', () => {
  it('stays a handful of modules: no adapters, no AWS SDK, no viem', async () => {
    const { closure } = await closureOf('health');
    const all = [...closure.static];
    expect(project(all).length).toBeLessThanOrEqual(16);
    // Its packages are the HTTP layer's own: middy and the Powertools logger and metrics every function has.
    const packages = new Set(all.map(packageOf).filter((pkg) => pkg !== undefined));
    expect([...packages].filter((pkg) => !/^(@middy\/|@aws-lambda-powertools\/|@aws\/lambda-invoke-store$)/.test(pkg))).toEqual([]);
    // The bottom tier (errors, logging) is no adapter; every function has it.
    expect(project(all).filter((p) => p.startsWith('layers/') && !p.startsWith('layers/core/'))).toEqual([]);
    expect(all.map(packageOf).filter((pkg) => pkg && (pkg.startsWith('@aws-sdk/') || pkg === 'viem'))).toEqual([]);
    // Only the Powertools tracer (and what it brings) is behind an import(), loaded when tracing is on in Lambda.
    expect(project(closure.lazy)).toEqual([]);
    expect([...closure.lazy].some((input) => packageOf(input) === '@aws-lambda-powertools/tracer')).toBe(true);
  });
});
