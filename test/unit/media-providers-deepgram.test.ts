import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeepgramSimulator } from '../../infra/local/simulators/deepgram-media/server.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { createDeepgramAdapter } from '../../layers/providers/deepgram/adapter.ts';
import { auraModel } from '../../layers/providers/deepgram/speak.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { audioSeconds, callOptions, fetchWithFault, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: StandaloneSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startDeepgramSimulator({ apiKey: 'dg-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) => createDeepgramAdapter({ baseURL: sim.url, apiKey: () => 'dg-media-key', fetch: link.fetch, ...transport });
const last = () => sim.requests.at(-1)!;

describe('Deepgram adapter', () => {
  it('names Aura models from the catalog model and the voice', () => {
    expect(auraModel('aura-2', 'thalia')).toBe('aura-2-thalia-en');
    expect(auraModel('aura-2', 'celeste-es')).toBe('aura-2-celeste-es');
    expect(auraModel('aura-1', 'asteria')).toBe('aura-asteria-en');
    expect(auraModel('aura-2', 'aura-2-zeus-en')).toBe('aura-2-zeus-en');
  });

  it('transcribes raw audio with Nova-3, billing the duration Deepgram reports', async () => {
    const file = { data: speechAudio('wav', 6.25), mediaType: 'audio/wav', filename: 'call.wav' };
    const result = await adapter().transcribe!({ model: 'nova-3', file, language: 'en' }, callOptions());
    expect(last()).toMatchObject({ method: 'POST', path: '/v1/listen', query: { model: 'nova-3', smart_format: 'true', utterances: 'true', language: 'en' } });
    expect(last().headers['authorization']).toBe('Token dg-media-key');
    expect(last().headers['content-type']).toBe('audio/wav');
    expect(last().body).toEqual({ bytes: file.data.byteLength, contentType: 'audio/wav' });
    expect(result).toMatchObject({ durationSeconds: 6.25, language: 'en' });
    expect(result.text).toBe('Simulated transcript of 6.25 seconds of audio.');
    expect(result.segments).toEqual([{ start: 0, end: 6.25, text: result.text }]);
  });

  it('asks Deepgram to detect the language when none is given', async () => {
    const result = await adapter().transcribe!({ model: 'nova-3', file: { data: speechAudio('mp3', 2), mediaType: 'audio/mpeg' } }, callOptions());
    expect(last().query).toMatchObject({ detect_language: 'true' });
    expect(result.language).toBe('en');
    expect(result.durationSeconds).toBeGreaterThan(1.9);
  });

  it('speaks with Aura-2, streaming audio in the asked encoding', async () => {
    const mp3 = await adapter().speak!({ model: 'aura-2', input: 'Hello from Deepgram.', voice: 'thalia', format: 'mp3' }, callOptions());
    expect(last()).toMatchObject({ path: '/v1/speak', query: { model: 'aura-2-thalia-en', encoding: 'mp3' }, body: { text: 'Hello from Deepgram.' } });
    expect(mp3.mediaType).toBe('audio/mpeg');
    expect(audioSeconds(await readAll(mp3.audio))).toBeGreaterThan(0.5);
    const wav = await adapter().speak!({ model: 'aura-1', input: 'Linear sixteen.', voice: 'luna', format: 'wav' }, callOptions());
    expect(last().query).toEqual({ model: 'aura-luna-en', encoding: 'linear16', container: 'wav' });
    expect(wav.mediaType).toBe('audio/wav');
    expect(Buffer.from(await readAll(wav.audio)).toString('latin1', 8, 12)).toBe('WAVE');
  });

  it('refuses a speed Deepgram cannot apply, and answers unknown voices with the provider’s 400', async () => {
    const speed = await rejection<InvalidRequestError>(adapter().speak!({ model: 'aura-2', input: 'x', voice: 'thalia', format: 'mp3', speed: 1.5 }, callOptions()));
    expect([speed.status, speed.code]).toEqual([400, 'unsupported_parameter']);
    const voice = await rejection(adapter().speak!({ model: 'aura-2', input: 'x', voice: 'nobody', format: 'mp3' }, callOptions()));
    expect([voice.status, voice.code]).toEqual([400, 'upstream_bad_request']);
    expect(voice.message).toContain('No such model: aura-2-nobody-en');
  });

  it('maps Deepgram errors: invalid auth, corrupt audio, a 429 retried', async () => {
    const auth = await rejection(adapter({ apiKey: () => 'wrong' }).transcribe!({ model: 'nova-3', file: { data: speechAudio('wav', 1), mediaType: 'audio/wav' } }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const corrupt = await rejection(adapter().transcribe!({ model: 'nova-3', file: { data: new Uint8Array([1, 2, 3, 4]), mediaType: 'audio/wav' } }, callOptions()));
    expect([corrupt.status, corrupt.code]).toEqual([400, 'upstream_bad_request']);
    expect(corrupt.message).toContain('corrupt or unsupported data');
    const retries: string[] = [];
    const ok = await adapter({ fetch: fetchWithFault('429-once:0', link.fetch) }).transcribe!(
      { model: 'nova-3', file: { data: speechAudio('wav', 1), mediaType: 'audio/wav' } },
      { ...callOptions(), onRetry: (info) => retries.push(info.reason) },
    );
    expect(retries).toEqual(['status 429']);
    expect(ok.durationSeconds).toBe(1);
  });
});
