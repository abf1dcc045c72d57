/**
 * The media registry hands out adapters whose provider module loads on the first call (cold start: no provider's
 * media code). Callers ask an adapter for a method before calling it, so each provider lists the operations it
 * serves: here every list is checked against the adapter its module builds, method for method.
 */
import { describe, expect, it } from 'vitest';
import { createAlibabaMediaAdapter } from '../../layers/providers/alibaba/media/adapter.ts';
import { createAzureMediaAdapter } from '../../layers/providers/azure/media/adapter.ts';
import { createCartesiaAdapter } from '../../layers/providers/cartesia/adapter.ts';
import { createCloudflareMediaAdapter } from '../../layers/providers/cloudflare/media/adapter.ts';
import { createDeepgramAdapter } from '../../layers/providers/deepgram/adapter.ts';
import { createElevenLabsAdapter } from '../../layers/providers/elevenlabs/adapter.ts';
import { createFireworksMediaAdapter } from '../../layers/providers/fireworks/media/adapter.ts';
import { createGeminiMediaAdapter } from '../../layers/providers/gemini/media/adapter.ts';
import { createHuggingFaceMediaAdapter } from '../../layers/providers/huggingface/media/adapter.ts';
import { createMediaAdapter, isMediaProvider } from '../../layers/providers/media-registry.ts';
import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import { createOpenAIMediaAdapter } from '../../layers/providers/openai/media/adapter.ts';
import { createOpenAIVideoAdapter } from '../../layers/providers/openai/video/adapter.ts';
import { createRoboflowAdapter } from '../../layers/providers/roboflow/adapter.ts';
import type { ProviderId, ProviderTransport } from '../../layers/providers/types.ts';
import { createVertexMediaAdapter } from '../../layers/providers/vertex/media/adapter.ts';

const transport: ProviderTransport = { baseURL: 'http://127.0.0.1:9', apiKey: () => 'key', options: { accountId: 'acct', apiVersion: '2024-10-21', project: 'p' } };

/** What each provider's module builds, created directly (no registry). */
const DIRECT: Record<string, () => MediaAdapter> = {
  openai: () => ({ ...createOpenAIMediaAdapter(transport), ...createOpenAIVideoAdapter(transport) }),
  azure: () => createAzureMediaAdapter(transport),
  gemini: () => createGeminiMediaAdapter(transport),
  vertex: () => createVertexMediaAdapter(transport),
  fireworks: () => createFireworksMediaAdapter(transport),
  alibaba: () => createAlibabaMediaAdapter(transport),
  cloudflare: () => createCloudflareMediaAdapter(transport),
  'hugging face': () => createHuggingFaceMediaAdapter(transport, { partnerOf: () => undefined }),
  deepgram: () => createDeepgramAdapter(transport),
  elevenlabs: () => createElevenLabsAdapter(transport),
  cartesia: () => createCartesiaAdapter(transport),
  roboflow: () => createRoboflowAdapter(transport),
};

const methods = (adapter: MediaAdapter): string[] =>
  Object.entries(adapter)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name)
    .sort();

describe('the media registry’s lazily loaded adapters', () => {
  it.each(Object.keys(DIRECT))('%s offers exactly the operations its adapter serves', (provider) => {
    const lazy = createMediaAdapter(provider as ProviderId, transport, { hfPartnerOf: () => undefined });
    expect(lazy.provider).toBe(provider);
    expect(methods(lazy)).toEqual(methods(DIRECT[provider]!()));
  });

  it('covers every media provider it serves', () => {
    const all: ProviderId[] = ['openai', 'azure', 'gemini', 'vertex', 'fireworks', 'alibaba', 'cloudflare', 'hugging face', 'deepgram', 'elevenlabs', 'cartesia', 'roboflow', 'aiml', 'asicloud'];
    expect(all.filter(isMediaProvider).sort()).toEqual(Object.keys(DIRECT).sort());
  });

  it('passes a call through to the loaded adapter, with its refusal', async () => {
    // The provider refuses the key (no network: the transport's fetch answers).
    const refusing: ProviderTransport = { baseURL: 'http://127.0.0.1:9', apiKey: () => 'key', maxRetries: 0, fetch: async () => new Response('{"err_msg":"Invalid credentials."}', { status: 401, headers: { 'content-type': 'application/json' } }) };
    const lazy = createMediaAdapter('deepgram', refusing, { hfPartnerOf: () => undefined });
    const direct = createDeepgramAdapter(refusing);
    const request = { model: 'aura-2-thalia-en', input: 'hello', voice: 'thalia', format: 'mp3' } as Parameters<NonNullable<MediaAdapter['speak']>>[0];
    const options = { signal: new AbortController().signal, requestId: 'req_lazy' } as Parameters<NonNullable<MediaAdapter['speak']>>[1];
    const [fromLazy, fromDirect] = await Promise.all([lazy.speak!(request, options).catch((e: unknown) => e), direct.speak!(request, options).catch((e: unknown) => e)]);
    expect(fromLazy).toMatchObject({ message: expect.stringMatching(/refused/) });
    expect(fromLazy).toEqual(fromDirect);
    expect(Object.getPrototypeOf(fromLazy)).toBe(Object.getPrototypeOf(fromDirect));
  });
});
