import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import { createAzureMediaAdapter } from '../../layers/providers/azure/media/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import { audioSeconds, callOptions, decodePng, fetchWithFault, norm, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'azure', apiKey: 'azure-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createAzureMediaAdapter({ baseURL: sim.url, apiKey: () => 'azure-media-key', options: sim.transportOptions, fetch: link.fetch, ...transport });
const last = () => sim.requests.at(-1)!;

describe('Azure OpenAI media adapter', () => {
  it('embeds on the deployment path with api-version and the api-key header', async () => {
    const result = await adapter().embed!({ model: 'text-embedding-3-large', input: ['hello azure', 'second'], dimensions: 256 }, callOptions());
    expect(last().path).toBe('/openai/deployments/text-embedding-3-large/embeddings');
    expect(last().search).toBe('?api-version=2025-04-01-preview');
    expect(last().headers['api-key']).toBe('azure-media-key');
    expect(last().headers['authorization']).toBeUndefined();
    expect(result.vectors.map((vector) => vector.length)).toEqual([256, 256]);
    expect(norm(result.vectors[0]!)).toBeCloseTo(1, 3);
    expect(result.inputTokens).toBeGreaterThan(0);
  });

  it('generates DALL·E 3 images as base64 PNGs', async () => {
    const result = await adapter().generateImage!({ model: 'dall-e-3', prompt: 'a harbour at dawn', n: 1, size: '1792x1024', quality: 'hd' }, callOptions());
    expect(last().path).toBe('/openai/deployments/dall-e-3/images/generations');
    expect(last().body).toMatchObject({ prompt: 'a harbour at dawn', n: 1, size: '1792x1024', quality: 'hd', response_format: 'b64_json' });
    expect(result.images).toHaveLength(1);
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1792, height: 1024 });
  });

  it('edits with GPT Image over multipart', async () => {
    const source = (await adapter().generateImage!({ model: 'gpt-image-1', prompt: 'a plain square', n: 1, size: '1024x1024', quality: 'low' }, callOptions())).images[0]!;
    const result = await adapter().editImage!(
      { model: 'gpt-image-1', prompt: 'add a sun', n: 1, size: '1024x1024', quality: 'low', images: [{ ...source, filename: 'square.png' }] },
      callOptions(),
    );
    expect(last().path).toBe('/openai/deployments/gpt-image-1/images/edits');
    expect(last().body).toMatchObject({ prompt: 'add a sun', files: [{ name: 'image', filename: 'square.png', type: 'image/png' }] });
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1024 });
  });

  it('speaks through a tts deployment, streaming real audio in the asked format', async () => {
    const mp3 = await adapter().speak!({ model: 'tts', input: 'Hello from Azure speech.', voice: 'alloy', format: 'mp3' }, callOptions());
    expect(last().path).toBe('/openai/deployments/tts/audio/speech');
    expect(mp3.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(mp3.audio))).toBeGreaterThan(0.5);
    const wav = await adapter().speak!({ model: 'tts-hd', input: 'Wave form.', voice: 'nova', format: 'wav', speed: 1.5 }, callOptions());
    expect(wav.mediaType).toBe('audio/wav');
    expect(Buffer.from(await readAll(wav.audio)).toString('latin1', 0, 4)).toBe('RIFF');
  });

  it('transcribes through a whisper deployment, billing the duration Azure reports', async () => {
    const file = { data: speechAudio('wav', 7.5), mediaType: 'audio/wav', filename: 'clip.wav' };
    const result = await adapter().transcribe!({ model: 'whisper', file, language: 'en' }, callOptions());
    expect(last().path).toBe('/openai/deployments/whisper/audio/transcriptions');
    expect(last().body).toMatchObject({ response_format: 'verbose_json', language: 'en' });
    expect(result.durationSeconds).toBeCloseTo(7.5, 1);
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.segments?.length).toBeGreaterThan(0);
  });

  it('streams a gpt-4o-mini-transcribe deployment as OpenAI does: deltas, then done', async () => {
    const file = { data: speechAudio('wav', 6), mediaType: 'audio/wav', filename: 'clip.wav' };
    const events = [];
    for await (const event of await adapter().streamTranscription!({ model: 'gpt-4o-mini-transcribe', file }, callOptions())) events.push(event);
    expect(last().path).toBe('/openai/deployments/gpt-4o-mini-transcribe/audio/transcriptions');
    expect(last().body).toMatchObject({ response_format: 'json', stream: 'true' });
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(1);
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { durationSeconds: 6 } });
  });

  it('maps Azure failures: unknown deployment, wrong key, content filter; retries a 503 once', async () => {
    const missing = await rejection(adapter().embed!({ model: 'does-not-exist', input: ['x'] }, callOptions()));
    expect([missing.status, missing.code]).toEqual([502, 'upstream_unavailable']);
    const auth = await rejection(adapter({ apiKey: () => 'wrong' }).embed!({ model: 'text-embedding-3-small', input: ['x'] }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    expect(auth.message).not.toContain('wrong');
    const filtered = await rejection(adapter({ fetch: fetchWithFault('content-filter', link.fetch) }).generateImage!({ model: 'dall-e-3', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([filtered.status, filtered.code]).toEqual([400, 'content_filter']);
    const retries: string[] = [];
    const ok = await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).embed!({ model: 'text-embedding-3-small', input: ['again'] }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
    expect(ok.vectors).toHaveLength(1);
  });

  it('answers provider_not_configured without an endpoint', async () => {
    const error = await rejection(createAzureMediaAdapter({ baseURL: '', apiKey: () => 'k' }).embed!({ model: 'text-embedding-3-small', input: ['x'] }, callOptions()));
    expect([error.status, error.code]).toEqual([503, 'provider_not_configured']);
  });
});
