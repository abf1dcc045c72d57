/**
 * `npm start` without provider keys: every media provider this gateway serves routes to a loopback simulator
 * through the same credentials and registry the runtime uses, and answers with real media. Over loopback TCP on
 * purpose: this is the runtime's wiring (listening simulators, the default transport), not an adapter's mapping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderSimulators, type ProviderSimulators } from '../../infra/local/simulators/index.ts';
import { speechAudio, pictureFor } from '../../infra/local/simulators/media-fixtures/content.ts';
import { ELEVENLABS_SIM_VOICES } from '../../infra/local/simulators/elevenlabs-media/server.ts';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { createMediaAdapterResolver } from '../../layers/providers/media-registry.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import type { ProviderId } from '../../layers/providers/types.ts';
import { audioSeconds, callOptions, decodePng, readAll } from '../support/media-providers.ts';

let simulators: ProviderSimulators;
let adapterFor: (provider: ProviderId) => MediaAdapter;
beforeAll(async () => {
  simulators = await startProviderSimulators({});
  adapterFor = createMediaAdapterResolver(createProviderCredentials({ env: { ...simulators.env } }), { hfPartnerOf: catalogPartner });
});
afterAll(() => simulators.close());

const wav = { data: speechAudio('wav', 2), mediaType: 'audio/wav', filename: 'clip.wav' };

describe('local runtime media routing', () => {
  it('names a simulator for every media provider in the banner', () => {
    for (const provider of ['azure', 'fireworks', 'alibaba', 'cloudflare', 'hugging face', 'gemini', 'vertex', 'deepgram', 'elevenlabs', 'cartesia', 'roboflow']) {
      expect(simulators.banner.some((line) => line.startsWith(`${provider}: simulated at http://127.0.0.1:`))).toBe(true);
    }
  });

  it.each([
    ['gemini', 'gemini-embedding-001'],
    ['vertex', 'text-embedding-005'],
    ['azure', 'text-embedding-3-small'],
    ['fireworks', 'nomic-ai/nomic-embed-text-v1.5'],
    ['alibaba', 'text-embedding-v3'],
    ['cloudflare', '@cf/baai/bge-base-en-v1.5'],
    ['hugging face', 'Qwen/Qwen3-Embedding-8B'],
  ] as const)('%s embeds through its simulator', async (provider, model) => {
    const result = await adapterFor(provider).embed!({ model, input: ['routed locally'] }, callOptions());
    expect(result.vectors).toHaveLength(1);
    expect(result.vectors[0]!.length).toBeGreaterThan(0);
  });

  it.each([
    ['gemini', 'gemini-2.5-flash-image'],
    ['vertex', 'imagen-4.0-generate-001'],
    ['azure', 'dall-e-3'],
    ['fireworks', 'accounts/fireworks/models/flux-1-schnell-fp8'],
    ['cloudflare', '@cf/black-forest-labs/flux-1-schnell'],
    ['hugging face', 'black-forest-labs/FLUX.1-schnell'],
  ] as const)('%s generates a real PNG through its simulator', async (provider, model) => {
    const result = await adapterFor(provider).generateImage!({ model, prompt: 'a lighthouse', n: 1, size: '1024x1024', quality: 'standard' }, callOptions());
    expect(decodePng(result.images[0]!.data).width).toBeGreaterThan(0);
  });

  it.each([
    ['azure', 'tts', 'alloy'],
    ['cloudflare', '@cf/myshell-ai/melotts', 'en'],
    ['deepgram', 'aura-2', 'thalia'],
    ['elevenlabs', 'eleven_flash_v2_5', ELEVENLABS_SIM_VOICES[0]!],
    ['cartesia', 'sonic-3', '694f9389-aac1-45b6-b726-9d9369183238'],
  ] as const)('%s speaks real MP3 through its simulator', async (provider, model, voice) => {
    const speech = await adapterFor(provider).speak!({ model, input: 'Routed to the local simulator.', voice, format: 'mp3' }, callOptions());
    expect(speech.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(speech.audio))).toBeGreaterThan(0.5);
  });

  it.each([
    ['azure', 'whisper'],
    ['cloudflare', '@cf/openai/whisper-large-v3-turbo'],
    ['deepgram', 'nova-3'],
    ['elevenlabs', 'scribe_v1'],
    ['cartesia', 'ink-whisper'],
  ] as const)('%s transcribes through its simulator, with the audio’s duration', async (provider, model) => {
    const result = await adapterFor(provider).transcribe!({ model, file: wav }, callOptions());
    expect(result.durationSeconds).toBeCloseTo(2, 1);
    expect(result.text.length).toBeGreaterThan(0);
  });

  it('runs vision through the Roboflow and Workers AI simulators', async () => {
    const image = { data: pictureFor('a street', 320, 240), mediaType: 'image/png' };
    expect((await adapterFor('roboflow').detect!({ model: 'coco/39', image }, callOptions())).result['image']).toEqual({ width: 320, height: 240 });
    expect(Array.isArray((await adapterFor('cloudflare').detect!({ model: '@cf/microsoft/resnet-50', image }, callOptions())).result['predictions'])).toBe(true);
  });
});
