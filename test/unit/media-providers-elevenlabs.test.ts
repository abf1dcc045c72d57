import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEVENLABS_SIM_VOICES, startElevenLabsSimulator } from '../../infra/local/simulators/elevenlabs-media/server.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { createElevenLabsAdapter } from '../../layers/providers/elevenlabs/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { audioSeconds, callOptions, fetchWithFault, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: StandaloneSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startElevenLabsSimulator({ apiKey: 'el-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const VOICE = ELEVENLABS_SIM_VOICES[0]!;
const adapter = (transport: Partial<ProviderTransport> = {}) => createElevenLabsAdapter({ baseURL: sim.url, apiKey: () => 'el-media-key', fetch: link.fetch, ...transport });
const last = () => sim.requests.at(-1)!;

describe('ElevenLabs adapter', () => {
  it('speaks with the voice in the path, the model as model_id, and speed in voice_settings', async () => {
    const speech = await adapter().speak!({ model: 'eleven_multilingual_v2', input: 'Hello from ElevenLabs.', voice: VOICE, format: 'mp3', speed: 1.1 }, callOptions());
    expect(last()).toMatchObject({
      path: `/v1/text-to-speech/${VOICE}`,
      query: { output_format: 'mp3_44100_128' },
      body: { text: 'Hello from ElevenLabs.', model_id: 'eleven_multilingual_v2', voice_settings: { speed: 1.1 } },
    });
    expect(last().headers['xi-api-key']).toBe('el-media-key');
    expect(speech.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(speech.audio))).toBeGreaterThan(0.5);
  });

  it('speaks in the language asked for, sent as `language_code`; a model that enforces none is ElevenLabs\u2019 400', async () => {
    const speech = await adapter().speak!({ model: 'eleven_flash_v2_5', input: 'Hola desde ElevenLabs.', voice: VOICE, format: 'mp3', language: 'es' }, callOptions());
    expect(last().body).toMatchObject({ text: 'Hola desde ElevenLabs.', model_id: 'eleven_flash_v2_5', language_code: 'es' });
    expect(audioSeconds(await readAll(speech.audio))).toBeGreaterThan(0.5);
    const refused = await rejection(adapter().speak!({ model: 'eleven_multilingual_v2', input: 'x', voice: VOICE, format: 'mp3', language: 'es' }, callOptions()));
    expect([refused.status, refused.code]).toEqual([400, 'upstream_bad_request']);
  });

  it('streams PCM and Opus, and refuses formats ElevenLabs does not encode', async () => {
    const pcm = await adapter().speak!({ model: 'eleven_flash_v2_5', input: 'Raw samples.', voice: VOICE, format: 'pcm' }, callOptions());
    expect(last().query).toEqual({ output_format: 'pcm_24000' });
    expect(pcm.mediaType).toBe('audio/pcm');
    expect((await readAll(pcm.audio)).byteLength).toBeGreaterThan(24_000);
    const opus = await adapter().speak!({ model: 'eleven_flash_v2_5', input: 'Opus.', voice: VOICE, format: 'opus' }, callOptions());
    expect(Buffer.from(await readAll(opus.audio)).toString('latin1', 0, 4)).toBe('OggS');
    const wav = await rejection<InvalidRequestError>(adapter().speak!({ model: 'eleven_flash_v2_5', input: 'x', voice: VOICE, format: 'wav' }, callOptions()));
    expect([wav.status, wav.code]).toEqual([400, 'unsupported_response_format']);
    const speed = await rejection<InvalidRequestError>(adapter().speak!({ model: 'eleven_flash_v2_5', input: 'x', voice: VOICE, format: 'mp3', speed: 2 }, callOptions()));
    expect(speed.code).toBe('invalid_speed');
  });

  it('transcribes a multipart upload with Scribe, measuring the audio for the duration', async () => {
    const file = { data: speechAudio('wav', 5.5), mediaType: 'audio/wav', filename: 'memo.wav' };
    const result = await adapter().transcribe!({ model: 'scribe_v1', file, language: 'en' }, callOptions());
    expect(last()).toMatchObject({ path: '/v1/speech-to-text', body: { model_id: 'scribe_v1', language_code: 'en', timestamps_granularity: 'word', file: { name: 'memo.wav', type: 'audio/wav' } } });
    expect(result).toMatchObject({ text: 'Simulated transcript of 5.5 seconds of audio.', durationSeconds: 5.5, language: 'en' });
    expect(result.segments).toEqual([{ start: 0, end: 5.5, text: 'Simulated transcript of 5.5 seconds of audio.' }]);
  });

  it('maps ElevenLabs errors: bad key, unknown voice, validation', async () => {
    const auth = await rejection(adapter({ apiKey: () => 'wrong' }).speak!({ model: 'eleven_multilingual_v2', input: 'x', voice: VOICE, format: 'mp3' }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const voice = await rejection(adapter().speak!({ model: 'eleven_multilingual_v2', input: 'x', voice: 'NoSuchVoice123456789', format: 'mp3' }, callOptions()));
    expect([voice.status, voice.code, voice.message]).toEqual([400, 'upstream_bad_request', 'A voice with the voice_id NoSuchVoice123456789 was not found.']);
    const model = await rejection(adapter().transcribe!({ model: 'eleven_multilingual_v2', file: { data: speechAudio('wav', 1), mediaType: 'audio/wav' } }, callOptions()));
    expect([model.status, model.code]).toEqual([400, 'upstream_bad_request']);
    const retries: string[] = [];
    await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).speak!({ model: 'eleven_multilingual_v2', input: 'again', voice: VOICE, format: 'mp3' }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
