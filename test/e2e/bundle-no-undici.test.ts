/**
 * Issue 15 (cold start, CPU per call): the functions that call providers never load Node's bundled undici (the
 * machinery behind the global fetch, Response, Headers, Request and FormData, and behind node:http's lazy
 * WebSocket export, which importing node:http as an ES module reads). Loading it costs 35–47 ms of CPU here, at
 * init or on the first call that touches one of those globals. Each function's bundle and the shared layer, built
 * as the stack builds them, run in a fresh Node process (support/bundle-invoke-child.ts) that loads nothing else;
 * Compose Key chat completions, streamed and not, and an embedding are served against the local runtime's
 * stand-ins and provider simulators, and the process's list of loaded built-ins must not name undici.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaNodePath } from '../../bench/bundles/lambda-resolve.ts';
import { bundleFunction } from '../../infra/lib/function-bundle.ts';
import { buildLayerCodeCached } from '../../infra/lib/layer-bundle.ts';
import type { BundleCall, BundleRun } from '../support/bundle-invoke-child.ts';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';

const CHILD = join(import.meta.dirname, '..', 'support', 'bundle-invoke-child.ts');

let root: string;
let runtime: E2eRuntime;

const FUNCTIONS = ['inference', 'external', 'media', 'video-worker'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'compose-no-undici-'));
  for (const name of FUNCTIONS) bundleFunction(name, join(root, 'var', name));
  buildLayerCodeCached(join(root, 'opt'));
  runtime = await startE2eRuntime({ chain: false, videos: false });
}, 300_000);

afterAll(async () => {
  await runtime?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const run = (name: FunctionName, calls: readonly BundleCall[]): Promise<BundleRun> =>
  new Promise((resolve, reject) => {
    const env = { ...runtime.env, NODE_PATH: lambdaNodePath(join(root, 'opt')) };
    const child = spawn(process.execPath, [CHILD, name, join(root, 'var', name, 'index.mjs')], {
      env: { ...process.env, BUNDLE_ENV: JSON.stringify(env), BUNDLE_CALLS: JSON.stringify(calls) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (err += text));
    child.once('error', reject);
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{"undiciAfterInit"')) reject(new Error(`the function process exited ${code}:\n${out}\n${err}`));
      else resolve(JSON.parse(last) as BundleRun);
    });
  });

const post = (path: string, body: Record<string, unknown>): BundleCall => ({
  method: 'POST',
  path,
  headers: { authorization: `Bearer ${runtime.apiKey}`, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

const chat = (body: Record<string, unknown>): BundleCall => post('/v1/chat/completions', body);

describe('the functions that call providers, as Lambda runs them, without Node’s bundled undici', () => {
  it('inference: neither its init nor Compose Key chat completions, streamed or not, load undici', async () => {
    const result = await run('inference', [
      chat({ model: 'gpt-4o-mini', provider: 'openai', messages: [{ role: 'user', content: 'Hello without undici' }] }),
      chat({ model: 'gpt-4o-mini', provider: 'openai', stream: true, messages: [{ role: 'user', content: 'Stream without undici' }] }),
      chat({ model: 'gemini-2.5-flash', provider: 'gemini', messages: [{ role: 'user', content: 'Gemini without undici' }] }),
      chat({ model: 'gemini-2.5-flash', provider: 'gemini', stream: true, messages: [{ role: 'user', content: 'Gemini stream without undici' }] }),
    ]);
    const [completion, stream, gemini, geminiStream] = result.results;
    expect(completion!.status, completion!.body).toBe(200);
    expect(JSON.parse(completion!.body)).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'You said: Hello without undici' } }] });
    expect(stream!.status, stream!.body).toBe(200);
    expect(stream!.body).toContain('"object":"chat.completion.chunk"');
    expect(stream!.body).toContain('data: [DONE]');
    expect(gemini!.status, gemini!.body).toBe(200);
    expect(JSON.parse(gemini!.body)).toMatchObject({ choices: [{ message: { content: 'Echo: Gemini without undici' } }] });
    expect(geminiStream!.status, geminiStream!.body).toBe(200);
    expect(geminiStream!.body).toContain('data: [DONE]');
    expect(result.undiciAfterInit).toEqual([]);
    expect(result.undiciAfterCalls).toEqual([]);
  });

  it('external: neither its init nor a Compose Key chat completion and a streamed one load undici', async () => {
    const result = await run('external', [
      post('/external/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'External without undici' }] }),
      post('/external/v1/chat/completions', { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'External stream' }] }),
    ]);
    const [completion, stream] = result.results;
    expect(completion!.status, completion!.body).toBe(200);
    expect(JSON.parse(completion!.body)).toMatchObject({ choices: [{ message: { content: 'You said: External without undici' } }] });
    expect(stream!.status, stream!.body).toBe(200);
    expect(stream!.body).toContain('data: [DONE]');
    expect(result.undiciAfterInit).toEqual([]);
    expect(result.undiciAfterCalls).toEqual([]);
  });

  it('media: neither its init nor a Compose Key embedding load undici', async () => {
    const result = await run('media', [post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'embed without undici' })]);
    const [embedding] = result.results;
    expect(embedding!.status, embedding!.body).toBe(200);
    expect(JSON.parse(embedding!.body)).toMatchObject({ object: 'list', data: [{ object: 'embedding' }] });
    expect(result.undiciAfterInit).toEqual([]);
    expect(result.undiciAfterCalls).toEqual([]);
  });

  it('no built file imports node:http as an ES module (its facade reads the lazy WebSocket export, which loads undici)', () => {
    const files = ['opt', ...FUNCTIONS.map((name) => join('var', name))].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.mjs'))
        .map((file) => join(root, dir, file)),
    );
    expect(files.length).toBeGreaterThan(0);
    const importers = files.filter((file) => /(from\s*|import\s*\(\s*)["'](node:)?http["']/.test(readFileSync(file, 'utf8')));
    expect(importers.map((file) => file.slice(root.length))).toEqual([]);
  });

  it('video-worker: its init does not load undici', async () => {
    expect((await run('video-worker', [])).undiciAfterInit).toEqual([]);
  });
});
