/**
 * Providers that speak OpenAI's Chat Completions and publish no Node SDK of their own for it (Fireworks, AI/ML
 * API, DashScope's compatible mode, ASI Cloud, Workers AI's OpenAI-compatible endpoint, the Hugging Face router)
 * document the `openai` SDK as their client: it drives each flavor of the simulator, plain and streamed with usage.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import type { FlavorName } from '../../infra/local/simulators/openai-compatible/flavor.ts';

const FLAVORS: readonly { readonly flavor: FlavorName; readonly model: string; readonly key: string }[] = [
  { flavor: 'fireworks', model: 'accounts/fireworks/models/llama-v3p3-70b-instruct', key: 'fw-sdk-key' },
  { flavor: 'aiml', model: 'gpt-4o-mini', key: 'aiml-sdk-key' },
  { flavor: 'alibaba', model: 'qwen-plus', key: 'sk-dashscope-sdk' },
  { flavor: 'asicloud', model: 'asi1-mini', key: 'asi-sdk-key' },
  { flavor: 'cloudflare', model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast', key: 'cf-sdk-token' },
  { flavor: 'huggingface', model: 'meta-llama/Llama-3.3-70B-Instruct', key: 'hf_sdk_token' },
];

const sims = new Map<FlavorName, OpenAICompatibleSimulator>();
beforeAll(async () => {
  for (const { flavor, key } of FLAVORS) sims.set(flavor, await startOpenAICompatibleSimulator({ flavor, apiKey: key }));
});
afterAll(() => Promise.all([...sims.values()].map((sim) => sim.close())));

/** Workers AI's compatible endpoint lives under the account: `{base}/accounts/{id}/ai/v1`. */
const baseURL = (sim: OpenAICompatibleSimulator): string => (sim.flavor === 'cloudflare' ? `${sim.url}/accounts/${sim.transportOptions['accountId']}/ai/v1` : sim.url);

describe.each(FLAVORS)('openai SDK against the $flavor flavor', ({ flavor, model, key }) => {
  it('chat completion, plain and streamed with usage', async () => {
    const sim = sims.get(flavor)!;
    const client = new OpenAI({ apiKey: key, baseURL: baseURL(sim), maxRetries: 0 });
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 32 });
    expect(completion.choices[0]!.message.content).toEqual(expect.any(String));
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Stream' }], stream: true, stream_options: { include_usage: true } })) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });
});
