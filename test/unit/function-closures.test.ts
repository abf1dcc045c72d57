/**
 * Issue 14: each function's own bundle holds none of the shared layer's code (the adapters, x402, the bottom
 * tier, the AWS SDK): it imports them from the layer's packages. And each function evaluates at init only what its routes use. The inference and external functions
 * answer media Responses and video jobs too, but load that code on first use (functions/inference/media-responses.ts),
 * so their static import closure — read from esbuild's metafile of the bundle the CDK builds — holds no
 * media- or video-only module. Health stays a handful of modules.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { importClosure, inputEndingWith, isProjectModule, packageOf, type Closure } from '../../bench/bundles/closure.ts';
import { functionNames } from '../../bench/bundles/build.ts';
import { BUNDLE_CACHE_ENV, bundleCacheKey } from '../../infra/lib/bundle-cache.ts';
import { functionBuildOptions, functionEntry, NODE_ESM_BUNDLE } from '../../infra/lib/function-bundle.ts';
import { PROJECT_ROOT } from '../../infra/lib/paths.ts';
import { layerEntries } from '../../infra/lib/layer-bundle.ts';
import { providersCommonModules } from '../../infra/lib/layer-modules.ts';

const FUNCTIONS = functionNames();

/**
 * The metafile of an in-memory build, kept in the bundle cache folder (COMPOSE_BUNDLE_CACHE, set by
 * vitest.config.ts) under the key of the sources and the options, as the synths keep their bundles: the next
 * run with the same sources reads it instead of bundling again.
 */
const cachedMetafile = async (kind: string, options: BuildOptions & { metafile: true }): Promise<Metafile> => {
  const root = process.env[BUNDLE_CACHE_ENV];
  const file = root ? join(root, bundleCacheKey(kind, options), 'metafile.json') : undefined;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Metafile;
  const { metafile } = await build(options);
  if (file) {
    // Written aside and renamed into place: a concurrent run sees the whole entry or none (and keeps its own).
    const scratch = `${dirname(file)}.tmp-${process.pid}`;
    mkdirSync(scratch, { recursive: true });
    writeFileSync(join(scratch, 'metafile.json'), JSON.stringify(metafile));
    try {
      renameSync(scratch, dirname(file));
    } catch {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return metafile;
};

/**
 * One esbuild run for every function's entry (their graphs are resolved as each function's own build resolves
 * them), in memory, without minifying: only the metafile is read.
 */
let built: Promise<Metafile> | undefined;
const metafile = (): Promise<Metafile> => {
  const options = functionBuildOptions('inference', '/nonexistent');
  // Every entry in one build: each keeps its folder (the deploy builds one entry, named index).
  built ??= cachedMetafile('closures', { ...options, entryPoints: FUNCTIONS.map(functionEntry), entryNames: '[dir]/index', write: false, minify: false });
  return built;
};

describe.each(FUNCTIONS)('the %s function’s own bundle', (name) => {
  it('holds no module of layers/, no AWS SDK and no zod: it imports them from the shared layer', async () => {
    const { closure } = await closureOf(name);
    const inputs = [...closure.static, ...closure.lazy];
    expect(project(inputs).filter((p) => p.startsWith('layers/'))).toEqual([]);
    expect(inputs.filter((input) => packageOf(input)?.startsWith('@aws-sdk/'))).toEqual([]);
    // zod too: the adapters use it, and one copy in the layer serves both (a second in the function cost init).
    expect(inputs.filter((input) => packageOf(input) === 'zod')).toEqual([]);
    // Every function at least logs and maps errors through the bottom tier, from the layer.
    expect([...closure.external.static].some((specifier) => specifier.startsWith('@compose-inference/core/'))).toBe(true);
  });
});

describe('the shared layer', () => {
  it('has a file for every layer module any function imports', async () => {
    const entries = new Set(Object.keys(layerEntries()));
    for (const name of FUNCTIONS) {
      const { closure } = await closureOf(name);
      const imported = [...closure.external.static, ...closure.external.lazy].filter((s) => s.startsWith('@compose-inference/'));
      expect(imported.filter((specifier) => !entries.has(specifier))).toEqual([]);
    }
  });
});

describe('the bottom tier in the layer', () => {
  it('is one module every function imports as `@compose-inference/core/index`, never a file per core module', async () => {
    for (const name of FUNCTIONS) {
      const { closure } = await closureOf(name);
      const core = [...closure.external.static, ...closure.external.lazy].filter((s) => s.startsWith('@compose-inference/core/'));
      expect(core).toEqual(['@compose-inference/core/index']);
    }
    expect(Object.keys(layerEntries()).filter((entry) => entry.startsWith('@compose-inference/core/'))).toEqual(['@compose-inference/core/index']);
  });
});

describe('the adapters’ common module in the layer', () => {
  it('holds the registries, the transport and the OpenAI-compatible adapter, and no code a provider’s first call imports', () => {
    const common = [...providersCommonModules()];
    expect(common).toEqual(expect.arrayContaining(['layers/providers/registry.ts', 'layers/providers/media-registry.ts', 'layers/providers/openai-compatible/adapter.ts']));
    // Gemini, Vertex, every media adapter and the secret read (with the Secrets Manager client) keep files of their own.
    expect(common.filter((p) => /\/(media\/|video\/)?adapter\.ts$/.test(p) && !p.startsWith('layers/providers/openai-compatible/'))).toEqual([]);
    expect(common.filter((p) => /^layers\/providers\/(gemini\/model|vertex\/model|secret-read)\.ts$/.test(p))).toEqual([]);
  });

  it('is, with the credentials, the only providers file the functions import', async () => {
    for (const name of FUNCTIONS) {
      const { closure } = await closureOf(name);
      const providers = [...closure.external.static, ...closure.external.lazy].filter((s) => s.startsWith('@compose-inference/providers/'));
      expect(providers.filter((s) => s !== '@compose-inference/providers/index' && s !== '@compose-inference/providers/credentials')).toEqual([]);
    }
  });

  it('is not what the settlement worker loads to read provider secrets: the credentials are a file of their own', async () => {
    expect([...providersCommonModules()]).not.toContain('layers/providers/credentials.ts');
    const { closure } = await closureOf('settlement-worker');
    expect([...closure.external.static, ...closure.external.lazy]).toContain('@compose-inference/providers/credentials');
    expect([...closure.external.static, ...closure.external.lazy]).not.toContain('@compose-inference/providers/index');
  });
});

describe('the paid functions', () => {
  it('import the adapters’ common module and the bottom tier from the layer at init', async () => {
    const { closure } = await closureOf('inference');
    expect(closure.external.static).toContain('@compose-inference/providers/index');
    expect(closure.external.static).toContain('@compose-inference/core/index');
  });

  it('load x402 and viem only behind an import(), on the first request that pays or signs in with x402', async () => {
    for (const name of ['inference', 'external', 'media', 'videos']) {
      const { closure } = await closureOf(name);
      expect([...closure.external.static].filter((s) => s.startsWith('@compose-inference/x402'))).toEqual([]);
      expect([...closure.static].filter((input) => packageOf(input) === 'viem')).toEqual([]);
      // viem is nowhere in the function's own bundle: the layer's x402 package carries it.
      expect([...closure.lazy].filter((input) => packageOf(input) === 'viem')).toEqual([]);
    }
    const { closure } = await closureOf('inference');
    expect(closure.external.lazy).toContain('@compose-inference/x402/index');
  });
});

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
    expect(closure.external.static).not.toContain('@compose-inference/providers/media-registry');
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
    // Its packages are the HTTP layer's own (middy); Powertools comes with the bottom tier, from the layer.
    const packages = new Set(all.map(packageOf).filter((pkg) => pkg !== undefined));
    expect([...packages].filter((pkg) => !/^(@middy\/|@aws-lambda-powertools\/|@aws\/lambda-invoke-store$)/.test(pkg))).toEqual([]);
    // From the layer, only the bottom tier (errors, logging): no adapter, no x402, no AWS SDK.
    expect([...closure.external.static, ...closure.external.lazy].filter((s) => !s.startsWith('@compose-inference/core/'))).toEqual([]);
    expect(all.map(packageOf).filter((pkg) => pkg && (pkg.startsWith('@aws-sdk/') || pkg === 'viem'))).toEqual([]);
    // Nothing behind an import(): the Powertools tracer, loaded when tracing is on, is the layer's.
    expect([...closure.lazy]).toEqual([]);
  });
});

describe('the relayer gas check', () => {
  it('loads from the layer only the bottom tier: reading X402_NETWORKS does not bring x402, the SDK or the layer’s viem', async () => {
    const { closure } = await closureOf('relayer-gas-check');
    const fromLayer = [...closure.external.static, ...closure.external.lazy].filter((s) => /^(@compose-inference|@aws-sdk)\//.test(s));
    expect(fromLayer.filter((s) => !s.startsWith('@compose-inference/core/'))).toEqual([]);
  });
});

describe('the x402 package', () => {
  it('does not reach the Sign-In-With-X verifier from its index: paying and settling load x402 without it', async () => {
    const meta = await cachedMetafile('x402-index', { ...NODE_ESM_BUNDLE, entryPoints: ['layers/x402/index.ts'], write: false, metafile: true, absWorkingDir: PROJECT_ROOT, outdir: '/nonexistent', logLevel: 'error' });
    const inputs = Object.keys(meta.inputs);
    expect(inputs.filter((input) => input.endsWith('layers/x402/sign-in.ts') || packageOf(input) === '@x402/extensions')).toEqual([]);
  });

  it('is imported by the settlement worker with its first batch, not at init, and the verifier only behind an import()', async () => {
    const { closure } = await closureOf('settlement-worker');
    expect([...closure.external.static].filter((s) => s.startsWith('@compose-inference/x402/'))).toEqual([]);
    expect(closure.external.lazy).toContain('@compose-inference/x402/index');
    expect(closure.external.static).not.toContain('@compose-inference/x402/sign-in');
    expect(closure.external.lazy).toContain('@compose-inference/x402/sign-in');
  });
});

describe('the Secrets Manager client', () => {
  it('is loaded by no function at init: the provider credentials import and build it on the first secret read', async () => {
    for (const name of FUNCTIONS) {
      const { closure } = await closureOf(name);
      expect([...closure.external.static]).not.toContain('@aws-sdk/client-secrets-manager');
    }
    for (const name of ['inference', 'media', 'videos', 'external', 'settlement-worker', 'video-worker']) {
      const { closure } = await closureOf(name);
      expect(closure.external.lazy).toContain('@aws-sdk/client-secrets-manager');
    }
  });

  it('reaches the layer’s credentials module only behind an import(), with the SDK command it sends', async () => {
    const closure = await layerModuleClosure('layers/providers/credentials.ts');
    expect([...closure.static].filter((input) => packageOf(input) === '@aws-sdk/client-secrets-manager')).toEqual([]);
    expect(project(closure.lazy)).toContain('layers/providers/secret-read.ts');
  });
});

describe('the text adapters’ registry', () => {
  it('loads the OpenAI-compatible adapter at init (nearly every first call needs it), Gemini and Vertex behind an import() on their first call', async () => {
    const closure = await layerModuleClosure('layers/providers/registry.ts');
    const atInit = project(closure.static);
    expect(atInit).toContain('layers/providers/openai-compatible/adapter.ts');
    expect(atInit.filter((p) => /^layers\/providers\/(gemini\/model|vertex\/model)\.ts$/.test(p))).toEqual([]);
    expect([...closure.static].filter((input) => packageOf(input) === 'jose')).toEqual([]);
    expect(project(closure.lazy)).toEqual(expect.arrayContaining(['layers/providers/gemini/model.ts', 'layers/providers/vertex/model.ts']));
  });
});

describe('the media adapters’ registry', () => {
  it('loads no provider’s media code at init: each adapter module behind an import(), on its provider’s first call', async () => {
    const closure = await layerModuleClosure('layers/providers/media-registry.ts');
    expect(project(closure.static).filter((p) => /\/(media\/|video\/)?adapter\.ts$/.test(p))).toEqual([]);
    expect([...closure.static].filter((input) => packageOf(input) === 'jose' || packageOf(input) === 'zod')).toEqual([]);
    expect(project(closure.lazy)).toEqual(expect.arrayContaining(['layers/providers/openai/media/adapter.ts', 'layers/providers/vertex/media/adapter.ts', 'layers/providers/deepgram/adapter.ts']));
  });
});

/** The import closure of one layer module, built with code splitting as the layer is (imports left as they are written). */
const layerModuleClosure = async (source: string): Promise<Closure> => {
  const { metafile: meta } = await build({
    ...NODE_ESM_BUNDLE,
    entryPoints: [source],
    splitting: true,
    write: false,
    metafile: true,
    absWorkingDir: PROJECT_ROOT,
    outdir: '/nonexistent',
    logLevel: 'error',
  });
  return importClosure(meta, inputEndingWith(meta, source));
};

describe('the video worker', () => {
  it('loads S3 only when it stores a video, and never the SQS client (it receives its messages, it does not send)', async () => {
    const { closure } = await closureOf('video-worker');
    expect([...closure.external.static].filter((s) => /^@aws-sdk\/(client-s3|client-sqs|s3-request-presigner)$/.test(s))).toEqual([]);
    expect(closure.external.lazy).toContain('@aws-sdk/client-s3');
  });
});

describe('the settlement worker', () => {
  it('does not load the SQS client: it reads the retry messages it is given, and never sends one', async () => {
    const { closure } = await closureOf('settlement-worker');
    expect(project([...closure.static])).not.toContain('shared/billing/sqs-settlement-queue.ts');
    expect([...closure.external.static]).not.toContain('@aws-sdk/client-sqs');
  });
});

describe('the media function', () => {
  it('loads S3, its presigner and multipart uploads on the first call that stores or reads a file, not at init', async () => {
    const { closure } = await closureOf('media');
    expect([...closure.external.static].filter((s) => /^@aws-sdk\/(client-s3|s3-request-presigner|lib-storage)$/.test(s))).toEqual([]);
    expect(closure.external.lazy).toContain('@aws-sdk/client-s3');
  });
});

describe('the videos function', () => {
  it('loads the Step Functions client with the first cancel, not at init (the worker starts executions)', async () => {
    const { closure } = await closureOf('videos');
    expect([...closure.external.static]).not.toContain('@aws-sdk/client-sfn');
    expect(closure.external.lazy).toContain('@aws-sdk/client-sfn');
  });

  it('loads S3 and the presigner on the first download or finished video, not at init', async () => {
    const { closure } = await closureOf('videos');
    expect([...closure.external.static].filter((s) => /^@aws-sdk\/(client-s3|s3-request-presigner)$/.test(s))).toEqual([]);
    expect(closure.external.lazy).toContain('@aws-sdk/client-s3');
  });
});
