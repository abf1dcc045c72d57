/**
 * The OpenAI media adapter against the openai simulator over in-memory HTTP (support/in-memory-http.ts): what goes on the wire for each
 * operation, what comes back as canonical results (real PNG, audio bytes, durations), and how provider
 * failures become the gateway's typed errors (retries before the first byte, redacted messages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { promptPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { tonePcm } from '../../infra/local/simulators/openai-media/encode/tone.ts';
import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import { createOpenAIMediaAdapter } from '../../layers/providers/openai/media/adapter.ts';
import { toImageResult } from '../../layers/providers/openai/media/images.ts';
import { readWavInfo, wavFromPcm } from '../../layers/core/media/formats/wav.ts';
import { audioSeconds, callOptions, decodePng, fetchWithFault, norm, readAll, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

const KEY = 'sk-test-media-0123456789';
let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
let adapter: MediaAdapter;

const adapterWith = (transport: Partial<Parameters<typeof createOpenAIMediaAdapter>[0]> = {}): MediaAdapter =>
  createOpenAIMediaAdapter({ baseURL: sim.url, apiKey: () => KEY, fetch: link.fetch, ...transport });

const lastBody = (): Record<string, unknown> => sim.requests.at(-1)!.body as Record<string, unknown>;
const wav = (seconds: number): Uint8Array => wavFromPcm(tonePcm(seconds, 16_000), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 });

beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: KEY, listen: false });
  link = inMemoryHttp(sim);
  adapter = adapterWith();
});
afterAll(async () => {
  link?.close();
  await sim?.close();
});

describe('embeddings', () => {
  it('asks for floats and returns one unit vector per input, in input order, with the token count', async () => {
    const result = await adapter.embed!({ model: 'text-embedding-3-small', input: ['first input', 'second', [101, 202, 303]], dimensions: 64 }, callOptions());
    expect(lastBody()).toEqual({ model: 'text-embedding-3-small', input: ['first input', 'second', [101, 202, 303]], encoding_format: 'float', dimensions: 64 });
    expect(result.vectors).toHaveLength(3);
    for (const vector of result.vectors) {
      expect(vector).toHaveLength(64);
      expect(norm(vector)).toBeCloseTo(1, 5);
    }
    expect(result.inputTokens).toBe(3 + 2 + 3);
    const again = await adapter.embed!({ model: 'text-embedding-3-small', input: ['second'], dimensions: 64 }, callOptions());
    expect(again.vectors[0]).toEqual(result.vectors[1]);
  });

  it('sends a single string as a string', async () => {
    await adapter.embed!({ model: 'text-embedding-3-large', input: ['only one'] }, callOptions());
    expect(lastBody().input).toBe('only one');
  });
});

describe('images', () => {
  it('generates real PNGs with GPT Image, leaving auto options to the provider and reading back what it chose', async () => {
    const result = await adapter.generateImage!({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 2, size: 'auto', quality: 'auto' }, callOptions());
    expect(lastBody()).toEqual({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 2 });
    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      expect(image.mediaType).toBe('image/png');
      expect(decodePng(image.data)).toEqual({ width: 1024, height: 1024 });
    }
    expect({ quality: result.quality, size: result.size }).toEqual({ quality: 'high', size: '1024x1024' });
  });

  it('asks DALL·E for base64 at the requested size and keeps its revised prompt', async () => {
    const result = await adapter.generateImage!({ model: 'dall-e-3', prompt: 'a fox', n: 1, size: '1792x1024', quality: 'hd', extra: { style: 'natural' } }, callOptions());
    expect(lastBody()).toEqual({ model: 'dall-e-3', prompt: 'a fox', n: 1, size: '1792x1024', quality: 'hd', response_format: 'b64_json', style: 'natural' });
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1792, height: 1024 });
    expect(result.revisedPrompts).toEqual(['A picture of: a fox']);
  });

  it('treats chatgpt-image-latest as a GPT Image model: no response_format, base64 answers', async () => {
    const result = await adapter.generateImage!({ model: 'chatgpt-image-latest', prompt: 'a kite', n: 1, size: '1024x1024', quality: 'low' }, callOptions());
    expect(lastBody()).toEqual({ model: 'chatgpt-image-latest', prompt: 'a kite', n: 1, size: '1024x1024', quality: 'low' });
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1024 });
  });

  it('reads an images answer without `data` (optional in OpenAI\u2019s ImagesResponse) as no image, not a malformed body', async () => {
    const noData: typeof fetch = async () => new Response(JSON.stringify({ created: 1, output_format: 'png' }), { status: 200, headers: { 'content-type': 'application/json' } });
    const result = await adapterWith({ fetch: noData }).generateImage!({ model: 'gpt-image-1', prompt: 'nothing', n: 1, size: 'auto', quality: 'auto' }, callOptions());
    expect(result.images).toEqual([]);
  });

  it('downloads images a provider answers with by URL', async () => {
    const response = await link.fetch(`${sim.url}/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dall-e-2', prompt: 'by url', size: '256x256', response_format: 'url' }),
    });
    const wire = (await response.json()) as { data: { url: string }[] };
    expect(wire.data[0]!.url.startsWith(`${sim.origin}/v1/sim-files/`)).toBe(true);
    const result = await toImageResult(wire, { baseURL: sim.url, apiKey: () => KEY, fetch: link.fetch }, callOptions());
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 256, height: 256 });
  });

  it('edits several images with a mask as multipart image[] fields', async () => {
    const png = promptPicture(64, 64, 7);
    const result = await adapter.editImage!(
      {
        model: 'gpt-image-1',
        prompt: 'add a hat',
        n: 1,
        size: '1024x1536',
        quality: 'low',
        images: [
          { data: png, mediaType: 'image/png', filename: 'a.png' },
          { data: png, mediaType: 'image/png', filename: 'b.png' },
        ],
        mask: { data: png, mediaType: 'image/png', filename: 'mask.png' },
      },
      callOptions(),
    );
    const recorded = lastBody() as { files: { name: string; filename: string; bytes: number }[] } & Record<string, unknown>;
    expect(recorded).toMatchObject({ model: 'gpt-image-1', prompt: 'add a hat', n: '1', size: '1024x1536', quality: 'low' });
    expect(recorded.files.map((f) => f.name)).toEqual(['image[]', 'image[]', 'mask']);
    expect(recorded.files.every((f) => f.bytes === png.length)).toBe(true);
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1536 });
  });

  it('edits one DALL·E 2 square PNG as a plain image field', async () => {
    await adapter.editImage!({ model: 'dall-e-2', prompt: 'night', n: 1, size: '256x256', quality: 'auto', images: [{ data: promptPicture(32, 32, 1), mediaType: 'image/png' }] }, callOptions());
    const recorded = lastBody() as { files: { name: string }[] } & Record<string, unknown>;
    expect(recorded.files.map((f) => f.name)).toEqual(['image']);
    expect(recorded.response_format).toBe('b64_json');
  });
});

describe('speech', () => {
  it.each([
    ['wav', 'audio/wav'],
    ['mp3', 'audio/mpeg'],
    ['flac', 'audio/flac'],
    ['opus', 'audio/ogg'],
    ['aac', 'audio/aac'],
  ])('streams %s audio as long as the text takes to say', async (format, mediaType) => {
    const input = 'Thirty characters of speech!!';
    const result = await adapter.speak!({ model: 'gpt-4o-mini-tts', input, voice: 'verse', format, speed: 2, instructions: 'cheerful' }, callOptions());
    expect(lastBody()).toEqual({ model: 'gpt-4o-mini-tts', input, voice: 'verse', response_format: format, speed: 2, instructions: 'cheerful' });
    expect(result.mediaType).toBe(mediaType);
    const bytes = await readAll(result.audio);
    expect(audioSeconds(bytes)).toBeCloseTo(Math.max(0.5, input.length / 15 / 2), 1);
  });

  it('returns raw PCM for pcm', async () => {
    const result = await adapter.speak!({ model: 'tts-1', input: 'x'.repeat(30), voice: 'alloy', format: 'pcm' }, callOptions());
    expect(result.mediaType).toBe('audio/pcm');
    expect((await readAll(result.audio)).byteLength).toBe(2 * 24_000 * 2);
  });
});

describe('transcription', () => {
  it('asks Whisper for verbose JSON: language, exact duration and segments', async () => {
    const result = await adapter.transcribe!({ model: 'whisper-1', file: { data: wav(12), mediaType: 'audio/wav', filename: 'talk.wav' }, language: 'en', prompt: 'Names: Ada' }, callOptions());
    expect(lastBody()).toMatchObject({ model: 'whisper-1', response_format: 'verbose_json', language: 'en', prompt: 'Names: Ada', files: [{ name: 'file', filename: 'talk.wav' }] });
    expect(result.durationSeconds).toBe(12);
    expect(result.language).toBe('english');
    expect(result.segments!.map((s) => [s.start, s.end])).toEqual([[0, 5], [5, 10], [10, 12]]);
    expect(result.text).toBe('Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript. Sentence 3 of the simulated transcript.');
  });

  it('asks GPT-4o transcribe for JSON and reads the duration from the audio itself', async () => {
    const result = await adapter.transcribe!({ model: 'gpt-4o-transcribe', file: { data: wav(3), mediaType: 'audio/wav', filename: 'a.wav' } }, callOptions());
    expect(lastBody().response_format).toBe('json');
    expect(result.durationSeconds).toBe(3);
    expect(result.segments).toBeUndefined();
  });

  const collect = async <T>(events: AsyncIterable<T>): Promise<T[]> => {
    const all: T[] = [];
    for await (const event of events) all.push(event);
    return all;
  };
  const audio = (seconds: number) => ({ data: wav(seconds), mediaType: 'audio/wav', filename: 'a.wav' });

  it('streams GPT-4o transcribe as deltas, then done with the duration read as the unstreamed answer reads it', async () => {
    const events = await collect(await adapter.streamTranscription!({ model: 'gpt-4o-mini-transcribe', file: audio(6) }, callOptions()));
    expect(lastBody()).toMatchObject({ model: 'gpt-4o-mini-transcribe', response_format: 'json', stream: 'true' });
    const done = events.at(-1)!;
    expect(done).toEqual({ type: 'done', result: { text: 'Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.', durationSeconds: 6 } });
    const deltas = events.slice(0, -1).map((e) => (e.type === 'delta' ? e.text : ''));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.');
  });

  it('serves Whisper, which OpenAI will not stream, as its finished transcript: one delta, then done', async () => {
    const events = await collect(await adapter.streamTranscription!({ model: 'whisper-1', file: audio(4) }, callOptions()));
    expect(lastBody().stream).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['delta', 'done']);
  });

  it('a transcript stream that breaks errors with a typed upstream error', async () => {
    for (const [fault, code] of [['midstream-error', 'upstream_unavailable'], ['malformed', 'upstream_malformed_chunk'], ['truncate', 'upstream_truncated']] as const) {
      const events = await adapterWith({ fetch: fetchWithFault(fault, link.fetch) }).streamTranscription!({ model: 'gpt-4o-transcribe', file: audio(6) }, callOptions());
      expect((await rejection(collect(events))).code, fault).toBe(code);
    }
  });
});

describe('the simulator, as OpenAI', () => {
  it('refuses stream for whisper-1', async () => {
    const form = new FormData();
    form.set('model', 'whisper-1');
    form.set('stream', 'true');
    form.set('file', new Blob([wav(1)], { type: 'audio/wav' }), 'a.wav');
    const response = await link.fetch(`${sim.url}/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { param: string } }).error.param).toBe('stream');
  });
});

describe('failures', () => {
  it('a refused request is a 400 with the provider text', async () => {
    const error = await rejection(adapter.speak!({ model: 'tts-1', input: 'hi', voice: 'nobody', format: 'mp3' }, callOptions()));
    expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'upstream_bad_request' });
    expect(error.message).toMatch(/Invalid value for 'voice'/);
  });

  it('an unknown wire model is the gateway fault 502 naming the model', async () => {
    const error = await rejection(adapter.embed!({ model: 'text-embedding-9', input: ['x'] }, callOptions()));
    expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: 'upstream_unavailable' });
  });

  it('a 429 once is retried before the first byte, and the retry is reported', async () => {
    const retries: string[] = [];
    const flaky = adapterWith({ fetch: fetchWithFault('429-once:0', link.fetch) });
    const result = await flaky.embed!({ model: 'text-embedding-3-small', input: ['retry me'] }, { ...callOptions(), requestId: `retry-${Date.now()}`, onRetry: (r) => retries.push(r.reason) });
    expect(result.vectors).toHaveLength(1);
    expect(retries).toEqual(['status 429']);
  });

  it('a rejected key is a 502 whose message never carries the key', async () => {
    const error = await rejection(adapterWith({ apiKey: () => 'sk-wrong-key-abcdef123456' }).embed!({ model: 'text-embedding-3-small', input: ['x'] }, callOptions()));
    expect({ status: error.status, code: error.code }).toEqual({ status: 502, code: 'upstream_auth_failed' });
    expect(error.message).not.toContain('sk-wrong');
  });

  it('a transcription of an unrecognised file is refused by the provider as OpenAI does', async () => {
    const error = await rejection(adapter.transcribe!({ model: 'whisper-1', file: { data: Buffer.from('not audio at all'), mediaType: 'audio/wav', filename: 'a.wav' } }, callOptions()));
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/corrupted or unsupported/);
  });

  it('a missing endpoint is provider_not_configured', async () => {
    const error = await rejection(createOpenAIMediaAdapter({ baseURL: '', apiKey: () => KEY }).embed!({ model: 'm', input: ['x'] }, callOptions()));
    expect({ status: error.status, code: error.code }).toEqual({ status: 503, code: 'provider_not_configured' });
  });
});

describe('the WAV the simulator speaks', () => {
  it('is 24 kHz 16-bit mono PCM, as OpenAI sends', async () => {
    const result = await adapter.speak!({ model: 'tts-1-hd', input: 'Fifteen chars!!', voice: 'nova', format: 'wav' }, callOptions());
    const info = readWavInfo(await readAll(result.audio));
    expect(info).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16, durationSeconds: 1 });
  });
});
