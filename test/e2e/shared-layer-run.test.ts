/**
 * Issue 14: a deployed function is its own bundle plus the shared layer. Here the inference function's bundle
 * (built as the stack builds it, holding none of the adapters, x402, the bottom tier or the AWS SDK) and the
 * shared layer (built as the stack builds it) are laid out as Lambda lays them out — the bundle in `var/task`,
 * the layer in `opt` — and run alone in a plain Node process (bench/services/lambda-host.ts) that resolves
 * imports as the Lambda Node.js runtime does: NODE_PATH `opt/nodejs/node24/node_modules:opt/nodejs/node_modules`,
 * searched for ES modules too (bench/bundles/lambda-resolve.ts). It serves real calls against the local
 * runtime's stand-ins and provider simulators: a Compose Key chat completion through the OpenAI-compatible
 * adapter and through the Gemini adapter (both behind the layer's `providers/registry`), a streamed
 * one, and an x402 challenge, which loads x402 and viem from the layer on first use.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildScript } from '../../bench/bundles/build.ts';
import { lambdaNodePath } from '../../bench/bundles/lambda-resolve.ts';
import { startChild, type ChildService } from '../../bench/lib/child.ts';
import { bundleFunction } from '../../infra/lib/function-bundle.ts';
import { buildLayerCodeCached } from '../../infra/lib/layer-bundle.ts';
import { DEV_ROLES, devAccount } from '../../infra/local/chain/accounts.ts';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';

// A network whose token domain is configured, so a challenge reads nothing from the chain (its RPC endpoint is
// never called: only the relayer's address is needed, for the `upto` offer).
const X402 = {
  X402_PAY_TO: devAccount(DEV_ROLES.merchant).address,
  X402_RELAYER_PRIVATE_KEY: devAccount(DEV_ROLES.relayer).privateKey,
  X402_NETWORKS: JSON.stringify([
    { network: 'eip155:84532', chainId: 84532, name: 'Base Sepolia', usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', eip712: { name: 'USDC', version: '2' }, rpcUrl: 'http://127.0.0.1:9' },
  ]),
};

let root: string;
let runtime: E2eRuntime;
let fn: ChildService;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'compose-layer-run-'));
  // Lambda's layout: the function's asset in /var/task, the layer's zip unpacked in /opt. Nothing above
  // either folder holds a node_modules, so every bare import must come from the layer. Both are built as the
  // stack builds them (a deploy's: no source maps), through the bundle cache the infra tests fill.
  const task = join(root, 'var', 'task');
  const opt = join(root, 'opt');
  bundleFunction('inference', task);
  buildLayerCodeCached(opt);
  const host = await buildScript(join(import.meta.dirname, '..', '..', 'bench', 'services', 'lambda-host.ts'), join(root, 'host', 'lambda-host.mjs'));

  runtime = await startE2eRuntime({ chain: false, videos: false });
  const env = { ...runtime.env, ...X402, NODE_PATH: lambdaNodePath(opt) };
  fn = await startChild('inference function', host, { args: ['inference', join(task, 'index.mjs')], env: { BENCH_LAMBDA_ENV: JSON.stringify(env) }, readyTimeoutMs: 120_000 });
}, 300_000);

afterAll(async () => {
  await fn?.stop();
  await runtime?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${runtime.apiKey}` }): Promise<Response> =>
  fetch(`${fn.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('the inference bundle with the shared layer, laid out as Lambda lays them out', () => {
  it('holds no adapter code of its own: the layer has the packages it imports', () => {
    expect(existsSync(join(root, 'opt', 'nodejs', 'node_modules', '@compose-inference', 'providers', 'index.mjs'))).toBe(true);
    expect(readdirSync(join(root, 'var', 'task')).every((file) => !file.includes('node_modules'))).toBe(true);
  });

  it('its AWS SDK reads `process` from the global, never through the built-in’s ES module facade (which loads process.report and more at init)', () => {
    const sdk = join(root, 'opt', 'nodejs', 'node_modules', '@aws-sdk');
    const files = readdirSync(sdk, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.mjs'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((file) => /from\s*["'](node:)?process["']/.test(readFileSync(join(sdk, file), 'utf8')))).toEqual([]);
  });

  it.each([
    ['openai', 'gpt-4o-mini'],
    ['gemini', 'gemini-2.5-flash'],
  ])('answers a Compose Key chat completion through the %s adapter from the layer', async (provider, model) => {
    const response = await post({ model, provider, messages: [{ role: 'user', content: `Hello ${provider} from the layer` }] });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    const completion = JSON.parse(text) as { object: string; choices: Array<{ message: { content: string } }>; usage: { total_tokens: number } };
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(completion.usage.total_tokens).toBeGreaterThan(0);
  });

  it('streams a chat completion', async () => {
    const response = await post({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Stream from the layer' }] });
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(text).toContain('"object":"chat.completion.chunk"');
    expect(text).toContain('data: [DONE]');
  });

  it('answers an unpaid call with the x402 challenge, loading x402 (and viem) from the layer on first use', async () => {
    const response = await post({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'pay me' }] }, {});
    const text = await response.text();
    expect(response.status, `${text}\n${fn.output()}`).toBe(402);
    const challenge = JSON.parse(Buffer.from(response.headers.get('payment-required')!, 'base64').toString('utf8')) as { x402Version: number; accepts: Array<{ network: string; payTo: string }> };
    expect(challenge.x402Version).toBe(2);
    expect(challenge.accepts[0]).toMatchObject({ network: 'eip155:84532', payTo: X402.X402_PAY_TO });
    expect(JSON.parse(text)).toMatchObject({ error: { type: 'payment_required' } });
  });
});
