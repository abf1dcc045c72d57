import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARTESIA_MISSING_VOICE, startCartesiaSimulator } from '../../infra/local/simulators/cartesia-media/server.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { createCartesiaAdapter } from '../../layers/providers/cartesia/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { audioSeconds, callOptions, fetchWithFault, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: StandaloneSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startCartesiaSimulator({ apiKey: 'cartesia-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const VOICE = '694f9389-aac1-45b6-b726-9d9369183238';
const adapter = (transport: Partial<ProviderTransport> = {}) => createCartesiaAdapter({ baseURL: sim.url, apiKey: () => 'cartesia-media-key', fetch: link.fetch, ...transport });
const last = () => sim.requests.at(-1)!;

describe('Cartesia adapter', () => {
  it('speaks through /tts/bytes with the SDK\u2019s version header and bearer key, the voice by id and the speed in generation_config', async () => {
    const speech = await adapter().speak!({ model: 'sonic-3', input: 'Hello from Cartesia.', voice: VOICE, format: 'mp3', speed: 1.2 }, callOptions());
    expect(last()).toMatchObject({
      path: '/tts/bytes',
      body: {
        model_id: 'sonic-3',
        transcript: 'Hello from Cartesia.',
        voice: { mode: 'id', id: VOICE },
        output_format: { container: 'mp3', sample_rate: 44_100, bit_rate: 128_000 },
        generation_config: { speed: 1.2 },
      },
    });
    expect(last().headers).toMatchObject({ authorization: 'Bearer cartesia-media-key', 'cartesia-version': '2026-08-14' });
    expect(speech.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(speech.audio))).toBeGreaterThan(0.5);
  });

  it('speaks in the language asked for, sent as `language`; one Sonic does not speak is Cartesia\u2019s 400', async () => {
    const speech = await adapter().speak!({ model: 'sonic-3', input: 'Bonjour de Cartesia.', voice: VOICE, format: 'mp3', language: 'fr' }, callOptions());
    expect(last().body).toMatchObject({ model_id: 'sonic-3', transcript: 'Bonjour de Cartesia.', language: 'fr' });
    expect(audioSeconds(await readAll(speech.audio))).toBeGreaterThan(0.5);
    const refused = await rejection(adapter().speak!({ model: 'sonic-3', input: 'x', voice: VOICE, format: 'mp3', language: 'xx' }, callOptions()));
    expect([refused.status, refused.code]).toEqual([400, 'upstream_bad_request']);
  });

  it('writes WAV and raw PCM, and refuses the formats Cartesia does not', async () => {
    const wav = await adapter().speak!({ model: 'sonic-3', input: 'A wave file.', voice: VOICE, format: 'wav' }, callOptions());
    expect(audioSeconds(await readAll(wav.audio))).toBeGreaterThan(0.5);
    const pcm = await adapter().speak!({ model: 'sonic-3', input: 'Raw.', voice: VOICE, format: 'pcm' }, callOptions());
    expect(last().body).toMatchObject({ output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24_000 } });
    expect(pcm.mediaType).toBe('audio/pcm');
    const opus = await rejection<InvalidRequestError>(adapter().speak!({ model: 'sonic-3', input: 'x', voice: VOICE, format: 'opus' }, callOptions()));
    expect([opus.status, opus.code]).toEqual([400, 'unsupported_response_format']);
  });

  it('takes a numeric speed only on the sonic-3 line: an earlier Sonic is refused rather than silently ignoring it', async () => {
    const before = sim.requests.length;
    const refused = await rejection<InvalidRequestError>(adapter().speak!({ model: 'sonic-2', input: 'x', voice: VOICE, format: 'mp3', speed: 1.2 }, callOptions()));
    expect([refused.status, refused.code, refused.param]).toEqual([400, 'unsupported_parameter', 'speed']);
    expect(sim.requests.length).toBe(before);
    await adapter().speak!({ model: 'sonic-3.5', input: 'Faster.', voice: VOICE, format: 'mp3', speed: 1.3 }, callOptions());
    expect(last().body).toMatchObject({ model_id: 'sonic-3.5', generation_config: { speed: 1.3 } });
  });

  it('transcribes with Ink, billing the duration Cartesia reports, words grouped into segments', async () => {
    const file = { data: speechAudio('wav', 3.75), mediaType: 'audio/wav', filename: 'note.wav' };
    const result = await adapter().transcribe!({ model: 'ink-whisper', file, language: 'en' }, callOptions());
    expect(last()).toMatchObject({ path: '/stt', body: { model: 'ink-whisper', language: 'en', timestamp_granularities: ['word'], file: { name: 'note.wav', type: 'audio/wav' } } });
    expect(result).toMatchObject({ text: 'Simulated transcript of 3.75 seconds of audio.', durationSeconds: 3.75, language: 'en' });
    expect(result.segments).toEqual([{ start: 0, end: 3.75, text: 'Simulated transcript of 3.75 seconds of audio.' }]);
  });

  it('maps Cartesia errors: bad key, unknown voice and model, a 503 retried', async () => {
    const auth = await rejection(adapter({ apiKey: () => 'nope' }).speak!({ model: 'sonic-3', input: 'x', voice: VOICE, format: 'mp3' }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const voice = await rejection(adapter().speak!({ model: 'sonic-3', input: 'x', voice: CARTESIA_MISSING_VOICE, format: 'mp3' }, callOptions()));
    expect([voice.status, voice.code]).toEqual([502, 'upstream_unavailable']);
    const model = await rejection(adapter().speak!({ model: 'sonic-9', input: 'x', voice: VOICE, format: 'mp3' }, callOptions()));
    expect([model.status, model.code, model.message]).toEqual([400, 'upstream_bad_request', 'The model is not valid, make sure it is a valid model ID.']);
    const retries: string[] = [];
    await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).transcribe!({ model: 'ink-whisper', file: { data: speechAudio('wav', 1), mediaType: 'audio/wav' } }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
