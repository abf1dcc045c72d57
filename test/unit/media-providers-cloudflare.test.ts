import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createCloudflareMediaAdapter } from '../../layers/providers/cloudflare/media/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { audioSeconds, callOptions, decodePng, fetchWithFault, norm, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'cloudflare', apiKey: 'cf-media-token', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createCloudflareMediaAdapter({ baseURL: sim.url, apiKey: () => 'cf-media-token', options: sim.transportOptions, fetch: link.fetch, ...transport });
const runPath = (model: string) => `/client/v4/accounts/${sim.transportOptions['accountId']}/ai/run/${model}`;
const last = () => sim.requests.at(-1)!;
const wav = (seconds: number) => ({ data: speechAudio('wav', seconds), mediaType: 'audio/wav', filename: 'clip.wav' });

describe('Workers AI media adapter', () => {
  it('embeds with a bge model, vectors in order, tokens estimated', async () => {
    const result = await adapter().embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['first text', 'second text here'] }, callOptions());
    expect(last()).toMatchObject({ path: runPath('@cf/baai/bge-base-en-v1.5'), body: { text: ['first text', 'second text here'] } });
    expect(last().headers['authorization']).toBe('Bearer cf-media-token');
    expect(result.vectors.map((vector) => vector.length)).toEqual([768, 768]);
    expect(norm(result.vectors[1]!)).toBeCloseTo(1, 3);
    expect(result.inputTokens).toBe(3 + 4);
  });

  it('refuses embedding dimensions bge cannot change', async () => {
    const error = await rejection<InvalidRequestError>(adapter().embed!({ model: '@cf/baai/bge-small-en-v1.5', input: ['x'], dimensions: 64 }, callOptions()));
    expect([error.status, error.code]).toEqual([400, 'unsupported_operation']);
  });

  it('generates FLUX images from base64 JSON and Stable Diffusion images from raw bytes', async () => {
    const flux = await adapter().generateImage!({ model: '@cf/black-forest-labs/flux-1-schnell', prompt: 'a fox', n: 2, size: '1024x1024', quality: 'standard', extra: { steps: 4 } }, callOptions());
    expect(last().body).toEqual({ prompt: 'a fox', steps: 4 });
    expect(flux.size).toBe('1024x1024');
    expect(flux.images.map((image) => decodePng(image.data))).toEqual([
      { width: 1024, height: 1024 },
      { width: 1024, height: 1024 },
    ]);
    const sdxl = await adapter().generateImage!({ model: '@cf/stabilityai/stable-diffusion-xl-base-1.0', prompt: 'a harbour', n: 1, size: '768x512', quality: 'standard' }, callOptions());
    expect(last().body).toEqual({ prompt: 'a harbour', width: 768, height: 512 });
    expect(decodePng(sdxl.images[0]!.data)).toEqual({ width: 768, height: 512 });
  });

  it('speaks with MeloTTS (base64 MP3, the voice names the language) and Aura-1 (raw audio in the asked format)', async () => {
    const melo = await adapter().speak!({ model: '@cf/myshell-ai/melotts', input: 'Bonjour tout le monde', voice: 'fr', format: 'mp3' }, callOptions());
    expect(last().body).toEqual({ prompt: 'Bonjour tout le monde', lang: 'fr' });
    expect(melo.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(melo.audio))).toBeGreaterThan(0.5);
    const aura = await adapter().speak!({ model: '@cf/deepgram/aura-1', input: 'Hello from Aura', voice: 'luna', format: 'wav' }, callOptions());
    expect(last().body).toEqual({ text: 'Hello from Aura', speaker: 'luna', encoding: 'linear16', container: 'wav' });
    expect(aura.mediaType).toBe('audio/wav');
    expect(audioSeconds(await readAll(aura.audio))).toBeGreaterThan(0.5);
  });

  it('refuses formats and voices the speech models do not have', async () => {
    const format = await rejection<InvalidRequestError>(adapter().speak!({ model: '@cf/myshell-ai/melotts', input: 'x', voice: 'en', format: 'wav' }, callOptions()));
    expect(format.code).toBe('unsupported_response_format');
    const voice = await rejection<InvalidRequestError>(adapter().speak!({ model: '@cf/deepgram/aura-1', input: 'x', voice: 'alloy', format: 'mp3' }, callOptions()));
    expect([voice.status, voice.code]).toEqual([400, 'invalid_voice']);
  });

  it('transcribes with Whisper (raw bytes), Whisper turbo (base64, duration reported) and Nova-3', async () => {
    const whisper = await adapter().transcribe!({ model: '@cf/openai/whisper', file: wav(4) }, callOptions());
    expect(last().body).toMatchObject({ contentType: 'audio/wav' });
    expect(whisper.text).toContain('4 seconds');
    expect(whisper.durationSeconds).toBeCloseTo(4, 2);
    const turbo = await adapter().transcribe!({ model: '@cf/openai/whisper-large-v3-turbo', file: wav(2.5), language: 'de', prompt: 'Hallo.' }, callOptions());
    expect(last().body).toMatchObject({ task: 'transcribe', language: 'de', initial_prompt: 'Hallo.' });
    expect(turbo).toMatchObject({ language: 'de', durationSeconds: 2.5 });
    expect(turbo.segments?.[0]?.end).toBe(2.5);
    const nova = await adapter().transcribe!({ model: '@cf/deepgram/nova-3', file: wav(3) }, callOptions());
    expect(nova.text).toContain('3 seconds');
    expect(nova.durationSeconds).toBeCloseTo(3, 2);
  });

  it('classifies an image with ResNet-50, filtered by confidence', async () => {
    const image = (await adapter().generateImage!({ model: '@cf/black-forest-labs/flux-1-schnell', prompt: 'a cat', n: 1, size: '1024x1024', quality: 'standard' }, callOptions())).images[0]!;
    const all = await adapter().detect!({ model: '@cf/microsoft/resnet-50', image }, callOptions());
    const predictions = all.result['predictions'] as { label: string; score: number }[];
    expect(predictions).toHaveLength(5);
    expect(predictions[0]!.score).toBeGreaterThanOrEqual(predictions[1]!.score);
    const confident = await adapter().detect!({ model: '@cf/microsoft/resnet-50', image, confidence: 0.5 }, callOptions());
    expect((confident.result['predictions'] as unknown[]).length).toBe(1);
  });

  it('maps Workers AI errors and needs its account setting', async () => {
    const unknown = await rejection(adapter().embed!({ model: '@cf/nobody/nothing', input: ['x'] }, callOptions()));
    expect([unknown.status, unknown.code, unknown.message]).toEqual([400, 'upstream_bad_request', 'No such model @cf/nobody/nothing or task']);
    const auth = await rejection(adapter({ apiKey: () => 'wrong' }).embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['x'] }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const filtered = await rejection(adapter({ fetch: fetchWithFault('content-filter', link.fetch) }).generateImage!({ model: '@cf/black-forest-labs/flux-1-schnell', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([filtered.status, filtered.code]).toEqual([400, 'content_filter']);
    const noAccount = await rejection(adapter({ options: {} }).embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['x'] }, callOptions()));
    expect([noAccount.status, noAccount.code]).toEqual([503, 'provider_not_configured']);
    const retries: string[] = [];
    await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['y'] }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
