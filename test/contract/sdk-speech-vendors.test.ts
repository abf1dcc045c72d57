/**
 * The speech vendors' official SDKs drive their simulators through every operation the gateway uses:
 * `@deepgram/sdk` 5.13 (prerecorded transcription of a file, Aura speech), `@elevenlabs/elevenlabs-js` 2.73
 * (text-to-speech, streamed text-to-speech, Scribe speech-to-text) and `@cartesia/cartesia-js` 4.2 (TTS bytes,
 * TTS over SSE, batch STT). Each client is pointed at its simulator with its own base-URL option; the SDK must
 * accept each answer and parse it into its own types.
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
import { audioSeconds, readAll } from '../support/media-providers.ts';

let deepgram: StandaloneSimulator;
let elevenlabs: StandaloneSimulator;
let cartesia: StandaloneSimulator;
beforeAll(async () => {
  [deepgram, elevenlabs, cartesia] = await Promise.all([
    startDeepgramSimulator({ apiKey: 'dg-sdk-key' }),
    startElevenLabsSimulator({ apiKey: 'el-sdk-key' }),
    startCartesiaSimulator({ apiKey: 'cartesia-sdk-key' }),
  ]);
});
afterAll(() => Promise.all([deepgram?.close(), elevenlabs?.close(), cartesia?.close()]));

const CARTESIA_VOICE = '694f9389-aac1-45b6-b726-9d9369183238';

describe('@deepgram/sdk against the Deepgram simulator', () => {
  const client = () => new DeepgramClient({ apiKey: 'dg-sdk-key', baseUrl: deepgram.origin });

  it('transcribes a file (POST /v1/listen, raw audio) into the SDK’s response type', async () => {
    const response = await client().listen.v1.media.transcribeFile(Buffer.from(speechAudio('wav', 2.5)), { model: 'nova-3', smart_format: true, utterances: true, detect_language: true });
    const result = response as { metadata: { duration: number }; results: { channels: { alternatives: { transcript: string }[] }[]; utterances?: unknown[] } };
    expect(result.metadata.duration).toBeCloseTo(2.5, 2);
    expect(result.results.channels[0]!.alternatives[0]!.transcript).toContain('2.5 seconds');
    expect(result.results.utterances!.length).toBeGreaterThan(0);
    expect(deepgram.requests.at(-1)!.headers['authorization']).toBe('Token dg-sdk-key');
  });

  it('speaks with Aura (POST /v1/speak) as a binary stream', async () => {
    const response = await client().speak.v1.audio.generate({ text: 'Hello from Aura.', model: 'aura-2-thalia-en', encoding: 'mp3' });
    const audio = new Uint8Array(await response.arrayBuffer());
    expect(audioSeconds(audio)).toBeGreaterThan(0.5);
  });
});

describe('@elevenlabs/elevenlabs-js against the ElevenLabs simulator', () => {
  const client = () => new ElevenLabsClient({ apiKey: 'el-sdk-key', baseUrl: elevenlabs.origin });
  const voice = ELEVENLABS_SIM_VOICES[0]!;

  it('text-to-speech: convert and stream, MP3 bytes', async () => {
    const whole = await readAll(await client().textToSpeech.convert(voice, { text: 'Hello from ElevenLabs.', modelId: 'eleven_multilingual_v2', outputFormat: 'mp3_44100_128', voiceSettings: { speed: 1.1 } }));
    expect(audioSeconds(whole)).toBeGreaterThan(0.5);
    const streamed = await readAll(await client().textToSpeech.stream(voice, { text: 'Streamed speech.', modelId: 'eleven_multilingual_v2', outputFormat: 'mp3_44100_128' }));
    expect(audioSeconds(streamed)).toBeGreaterThan(0.5);
    expect(elevenlabs.requests.at(-1)!.headers['xi-api-key']).toBe('el-sdk-key');
  });

  it('speech-to-text: a multipart upload, words parsed', async () => {
    const file = new Blob([speechAudio('wav', 3)], { type: 'audio/wav' });
    const result = (await client().speechToText.convert({ file, modelId: 'scribe_v1', timestampsGranularity: 'word', languageCode: 'en' })) as { text: string; languageCode: string; words: { text: string; start?: number }[] };
    expect(result.text).toContain('3 seconds');
    expect(result.languageCode).toBe('en');
    expect(result.words.length).toBeGreaterThan(0);
  });
});

describe('@cartesia/cartesia-js against the Cartesia simulator', () => {
  const client = () => new Cartesia({ apiKey: 'cartesia-sdk-key', baseURL: cartesia.origin, maxRetries: 0 });

  it('TTS bytes with the SDK’s bearer key and version, speed in generation_config for sonic-3', async () => {
    const response = await client().tts.generate({ model_id: 'sonic-3', transcript: 'Hello from Cartesia.', voice: { mode: 'id', id: CARTESIA_VOICE }, output_format: { container: 'mp3', sample_rate: 44100, bit_rate: 128000 }, generation_config: { speed: 1.2 } });
    expect(audioSeconds(new Uint8Array(await response.arrayBuffer()))).toBeGreaterThan(0.5);
    expect(cartesia.requests.at(-1)!.headers).toMatchObject({ authorization: 'Bearer cartesia-sdk-key', 'cartesia-version': '2026-08-14' });
  });

  it('TTS over SSE: base64 PCM chunks, timestamps and done', async () => {
    const stream = await client().tts.generateSSE({ model_id: 'sonic-3', transcript: 'Streaming speech now.', voice: { mode: 'id', id: CARTESIA_VOICE }, output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 }, add_timestamps: true });
    const types: string[] = [];
    let bytes = 0;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'chunk') bytes += Buffer.from(event.data, 'base64').length;
    }
    expect(types.at(-1)).toBe('done');
    expect(types).toContain('timestamps');
    expect(bytes).toBeGreaterThan(24_000);
  });

  it('batch STT: multipart upload, transcript with duration and words', async () => {
    const file = new File([speechAudio('wav', 2)], 'note.wav', { type: 'audio/wav' });
    const result = await client().stt.transcribe({ file, model: 'ink-whisper', language: 'en', timestamp_granularities: ['word'] });
    expect(result.text).toContain('2 seconds');
    expect(result.duration).toBeCloseTo(2, 2);
    expect(result.words!.length).toBeGreaterThan(0);
  });
});
