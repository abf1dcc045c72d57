/**
 * The OpenAI-compatible text adapter, under each provider's profile, sends what the `openai` SDK (7.60) sends to
 * that provider's chat endpoint for the same request, compared on a loopback recorder in front of each flavor of
 * the simulator: plain and streamed. The providers (Fireworks, AI/ML API, DashScope compatible mode, ASI Cloud,
 * Workers AI, the Hugging Face router) document the openai SDK as their client.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlavorName } from '../../infra/local/simulators/openai-compatible/flavor.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { aimlProfile } from '../../layers/providers/aiml/profile.ts';
import { alibabaProfile } from '../../layers/providers/alibaba/profile.ts';
import { asicloudProfile } from '../../layers/providers/asicloud/profile.ts';
import { cloudflareProfile } from '../../layers/providers/cloudflare/profile.ts';
import { fireworksProfile } from '../../layers/providers/fireworks/profile.ts';
import { huggingfaceProfile } from '../../layers/providers/huggingface/profile.ts';
import { createOpenAICompatibleAdapter } from '../../layers/providers/openai-compatible/adapter.ts';
import type { OpenAICompatibleProfile } from '../../layers/providers/openai-compatible/profile.ts';
import { callOptions } from '../support/media-providers.ts';
import { startWireRecorder, wireDiff, type WireRecorder } from '../support/wire-recorder.ts';

const CASES: readonly { readonly flavor: FlavorName; readonly profile: OpenAICompatibleProfile; readonly model: string; readonly key: string }[] = [
  { flavor: 'fireworks', profile: fireworksProfile, model: 'accounts/fireworks/models/llama-v3p3-70b-instruct', key: 'fw-wire-key' },
  { flavor: 'aiml', profile: aimlProfile, model: 'gpt-4o-mini', key: 'aiml-wire-key' },
  { flavor: 'alibaba', profile: alibabaProfile, model: 'qwen-plus', key: 'sk-dashscope-wire' },
  { flavor: 'asicloud', profile: asicloudProfile, model: 'asi1-mini', key: 'asi-wire-key' },
  { flavor: 'cloudflare', profile: cloudflareProfile, model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast', key: 'cf-wire-token' },
  { flavor: 'huggingface', profile: huggingfaceProfile, model: 'meta-llama/Llama-3.3-70B-Instruct', key: 'hf_wire_token' },
];

const sims = new Map<FlavorName, { sim: OpenAICompatibleSimulator; rec: WireRecorder }>();
beforeAll(async () => {
  for (const { flavor, key } of CASES) {
    const sim = await startOpenAICompatibleSimulator({ flavor, apiKey: key });
    sims.set(flavor, { sim, rec: await startWireRecorder(sim.origin) });
  }
});
afterAll(() => Promise.all([...sims.values()].flatMap(({ sim, rec }) => [rec.close(), sim.close()])));

describe.each(CASES)('$flavor: adapter vs openai SDK', ({ flavor, profile, model, key }) => {
  const setup = () => {
    const { sim, rec } = sims.get(flavor)!;
    const base = `${rec.origin}${new URL(sim.url).pathname}`;
    const sdkBase = flavor === 'cloudflare' ? `${base}/accounts/${sim.transportOptions['accountId']}/ai/v1` : base;
    return {
      rec,
      sdk: new OpenAI({ apiKey: key, baseURL: sdkBase, maxRetries: 0 }),
      adapter: createOpenAICompatibleAdapter(profile, { baseURL: base, apiKey: () => key, maxRetries: 0, options: sim.transportOptions }),
    };
  };

  it('chat completion, plain and streamed', async () => {
    const { rec, sdk, adapter } = setup();
    const [a] = await rec.during(() => sdk.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 32, temperature: 0.3 }));
    const [b] = await rec.during(() => adapter.generate({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }], maxOutputTokens: 32, temperature: 0.3 }, callOptions()));
    expect(wireDiff(a!, b!)).toEqual([]);
    const [c] = await rec.during(async () => {
      for await (const chunk of await sdk.chat.completions.create({ model, messages: [{ role: 'user', content: 'Stream' }], stream: true, stream_options: { include_usage: true } })) void chunk;
    });
    const [d] = await rec.during(async () => {
      for await (const part of await adapter.stream({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'Stream' }] }] }, callOptions())) void part;
    });
    expect(wireDiff(c!, d!)).toEqual([]);
  });
});
