/**
 * The Deepgram, ElevenLabs and Cartesia adapters send what the vendors' official SDKs send for the same
 * operation (`@deepgram/sdk` 5.13, `@elevenlabs/elevenlabs-js` 2.73, `@cartesia/cartesia-js` 4.2), compared on a
 * loopback recorder in front of each simulator. Differences that remain are listed with their reasons in
 * the adapters' READMEs (layers/providers/deepgram/README.md lists the one that remains); any other difference fails here.
 */
import Cartesia from '@cartesia/cartesia-js';
import { DeepgramClient } from '@deepgram/sdk';
import { ElevenLabsClient } from '@elevenlabs/elevenlabs-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCartesiaSimulator } from '../../infra/local/simulators/cartesia-media/server.ts';
import { startDeepgramSimulator } from '../../infra/local/simulators/deepgram-media/server.ts';
import { ELEVENLABS_SIM_VOICES, startElevenLabsSimulator } from '../../infra/local/simulators/elevenlabs-media/server.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { createCartesiaAdapter } from '../../layers/providers/cartesia/adapter.ts';
import { createDeepgramAdapter } from '../../layers/providers/deepgram/adapter.ts';
import { createElevenLabsAdapter } from '../../layers/providers/elevenlabs/adapter.ts';
import { callOptions, readAll } from '../support/media-providers.ts';
import { startWireRecorder, wireDiff, type WireRecorder } from '../support/wire-recorder.ts';

const sims: Record<string, StandaloneSimulator> = {};
const recs: Record<string, WireRecorder> = {};
beforeAll(async () => {
  [sims.deepgram, sims.elevenlabs, sims.cartesia] = await Promise.all([
    startDeepgramSimulator({ apiKey: 'dg-wire-key' }),
    startElevenLabsSimulator({ apiKey: 'el-wire-key' }),
    startCartesiaSimulator({ apiKey: 'cartesia-wire-key' }),
  ]);
  for (const name of ['deepgram', 'elevenlabs', 'cartesia']) recs[name] = await startWireRecorder(sims[name]!.origin);
});
afterAll(() => Promise.all([...Object.values(recs).map((rec) => rec.close()), ...Object.values(sims).map((sim) => sim.close())]));

const compare = async (recorder: WireRecorder, viaSdk: () => Promise<unknown>, viaAdapter: () => Promise<unknown>): Promise<string[]> => {
  const [a] = await recorder.during(viaSdk);
  const [b] = await recorder.during(viaAdapter);
  expect(a, 'the SDK made a request').toBeDefined();
  expect(b, 'the adapter made a request').toBeDefined();
  return wireDiff(a!, b!);
};

const wav = speechAudio('wav', 1.5);
const CARTESIA_VOICE = '694f9389-aac1-45b6-b726-9d9369183238';

describe('Deepgram adapter vs @deepgram/sdk', () => {
  const sdk = () => new DeepgramClient({ apiKey: 'dg-wire-key', baseUrl: recs.deepgram!.origin });
  const adapter = () => createDeepgramAdapter({ baseURL: recs.deepgram!.origin, apiKey: () => 'dg-wire-key', maxRetries: 0 });

  it('prerecorded transcription of a file', async () => {
    const diff = await compare(
      recs.deepgram!,
      () => sdk().listen.v1.media.transcribeFile(Buffer.from(wav), { model: 'nova-3', smart_format: true, utterances: true, detect_language: true }),
      () => adapter().transcribe!({ model: 'nova-3', file: { data: wav, mediaType: 'audio/wav', filename: 'a.wav' } }, callOptions()),
    );
    // Listed: the adapter names the audio's type (Deepgram reads it for formats without a header); the SDK sends octet-stream.
    expect(diff).toEqual(['header.content-type: "application/octet-stream" → "audio/wav"']);
  });

  it('Aura speech', async () => {
    const diff = await compare(
      recs.deepgram!,
      async () => (await sdk().speak.v1.audio.generate({ text: 'Hello.', model: 'aura-2-thalia-en', encoding: 'mp3' })).arrayBuffer(),
      async () => readAll((await adapter().speak!({ model: 'aura-2', voice: 'thalia', input: 'Hello.', format: 'mp3' }, callOptions())).audio),
    );
    expect(diff).toEqual([]);
  });
});

describe('ElevenLabs adapter vs @elevenlabs/elevenlabs-js', () => {
  const sdk = () => new ElevenLabsClient({ apiKey: 'el-wire-key', baseUrl: recs.elevenlabs!.origin, maxRetries: 0 });
  const adapter = () => createElevenLabsAdapter({ baseURL: recs.elevenlabs!.origin, apiKey: () => 'el-wire-key', maxRetries: 0 });
  const voice = ELEVENLABS_SIM_VOICES[0]!;

  it('text-to-speech', async () => {
    const diff = await compare(
      recs.elevenlabs!,
      async () => readAll(await sdk().textToSpeech.convert(voice, { text: 'Hello.', modelId: 'eleven_flash_v2_5', outputFormat: 'mp3_44100_128', languageCode: 'en', voiceSettings: { speed: 1.1 } })),
      async () => readAll((await adapter().speak!({ model: 'eleven_flash_v2_5', voice, input: 'Hello.', format: 'mp3', language: 'en', speed: 1.1 }, callOptions())).audio),
    );
    expect(diff).toEqual([]);
  });

  it('speech-to-text (multipart)', async () => {
    const diff = await compare(
      recs.elevenlabs!,
      () => sdk().speechToText.convert({ file: new File([wav], 'a.wav', { type: 'audio/wav' }), modelId: 'scribe_v1', timestampsGranularity: 'word', languageCode: 'en' }),
      () => adapter().transcribe!({ model: 'scribe_v1', file: { data: wav, mediaType: 'audio/wav', filename: 'a.wav' }, language: 'en' }, callOptions()),
    );
    expect(diff).toEqual([]);
  });
});

describe('Cartesia adapter vs @cartesia/cartesia-js', () => {
  const sdk = () => new Cartesia({ apiKey: 'cartesia-wire-key', baseURL: recs.cartesia!.origin, maxRetries: 0 });
  const adapter = () => createCartesiaAdapter({ baseURL: recs.cartesia!.origin, apiKey: () => 'cartesia-wire-key', maxRetries: 0 });

  it('TTS bytes', async () => {
    const diff = await compare(
      recs.cartesia!,
      async () => (await sdk().tts.generate({ model_id: 'sonic-3', transcript: 'Hello.', voice: { mode: 'id', id: CARTESIA_VOICE }, output_format: { container: 'mp3', sample_rate: 44100, bit_rate: 128000 }, language: 'en', generation_config: { speed: 1.2 } })).arrayBuffer(),
      async () => readAll((await adapter().speak!({ model: 'sonic-3', voice: CARTESIA_VOICE, input: 'Hello.', format: 'mp3', language: 'en', speed: 1.2 }, callOptions())).audio),
    );
    expect(diff).toEqual([]);
  });

  it('batch STT (multipart)', async () => {
    const diff = await compare(
      recs.cartesia!,
      () => sdk().stt.transcribe({ file: new File([wav], 'a.wav', { type: 'audio/wav' }), model: 'ink-whisper', language: 'en', timestamp_granularities: ['word'] }),
      () => adapter().transcribe!({ model: 'ink-whisper', file: { data: wav, mediaType: 'audio/wav', filename: 'a.wav' }, language: 'en' }, callOptions()),
    );
    expect(diff).toEqual([]);
  });
});
