/**
 * The media routes end to end: the official `openai` SDK against the local runtime (real handlers, DynamoDB
 * and S3 stand-ins, the openai simulator), for embeddings, image generations and edits, speech and
 * transcriptions. Outputs are real media; images download from presigned S3 URLs; receipts carry the units
 * and amounts the catalog prices; JSON bodies match the OpenAPI document; the external mirror speaks OpenAI only.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavInfo } from '../../layers/core/media/formats/wav.ts';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import { atomic, catalogPrice, expectCharge, mp3Bytes, pngBytes, receiptOf, upload, wavBytes } from '../support/media-e2e.ts';
import { audioSeconds, decodePng } from '../support/media-providers.ts';

let gateway: E2eRuntime;
let client: OpenAI;
let external: OpenAI;

beforeAll(async () => {
  gateway = await sharedE2eRuntime();
  client = gateway.client();
  external = new OpenAI({ baseURL: `${gateway.url}/external/v1`, apiKey: gateway.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
});

const contract = (path: string, body: unknown): void => expectMatchesContract(path, 'post', 200, body);

describe('embeddings', () => {
  it('embeds several inputs as floats, priced per input token', async () => {
    const { data, response } = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['the first text', 'a second one'], encoding_format: 'float' }).withResponse();
    contract('/v1/embeddings', data);
    expect(data.model).toBe('text-embedding-3-small');
    expect(data.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 1536], [1, 1536]]);
    const tokens = Math.ceil('the first text'.length / 4) + Math.ceil('a second one'.length / 4);
    expect(data.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    const price = catalogPrice('text-embedding-3-small', 'openai', 'embeddings', 'input') / 1e6;
    expectCharge(receiptOf(response), { key: 'input_tokens', unit: 'tokens', quantity: tokens, amount: atomic(tokens * price) });
    expect(response.headers.get('x-routing-final-model')).toBe('text-embedding-3-small');
  });

  it('decodes to the same vectors when the SDK asks for base64 (its default), with shortened dimensions', async () => {
    const asFloats = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'same text', dimensions: 256, encoding_format: 'float' });
    const viaBase64 = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'same text', dimensions: 256 });
    expect(viaBase64.data[0]!.embedding).toHaveLength(256);
    expect(viaBase64.data[0]!.embedding).toEqual(asFloats.data[0]!.embedding.map((v) => Math.fround(v)));
    const raw = await (await gateway.post('/v1/embeddings', { model: 'text-embedding-3-large', input: 'same text', dimensions: 256, encoding_format: 'base64' })).json();
    contract('/v1/embeddings', raw);
  });

  it('takes token arrays', async () => {
    const data = await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3, 4], [5, 6]], encoding_format: 'float' });
    expect(data.data).toHaveLength(2);
    expect(data.usage.prompt_tokens).toBe(6);
  });
});

describe('image generation', () => {
  it('stores the images and answers presigned URLs that download the PNGs; billed per image at quality and size', async () => {
    const { data, response } = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red bicycle', n: 2, size: '1536x1024', quality: 'medium' }).withResponse();
    contract('/v1/images/generations', data);
    expect(data.data).toHaveLength(2);
    for (const image of data.data!) {
      expect(image.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/compose-local-media\/media\/images\/.+\.png\?.*X-Amz-Signature=/);
      const download = await fetch(image.url!);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('image/png');
      expect(decodePng(new Uint8Array(await download.arrayBuffer()))).toEqual({ width: 1536, height: 1024 });
    }
    const each = catalogPrice('gpt-image-1', 'openai', 'image-generation', 'medium:1536x1024');
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 2, amount: atomic(2 * each), entry: 'medium:1536x1024' });
  });

  it('answers base64 when asked, stores nothing, and keeps DALL·E 3 revised prompts', async () => {
    const { data, response } = await client.images.generate({ model: 'dall-e-3', prompt: 'a quiet harbour', size: '1024x1792', quality: 'hd', response_format: 'b64_json' }).withResponse();
    contract('/v1/images/generations', data);
    expect(data.data![0]!.url).toBeUndefined();
    expect(decodePng(Buffer.from(data.data![0]!.b64_json!, 'base64'))).toEqual({ width: 1024, height: 1792 });
    expect(data.data![0]!.revised_prompt).toBe('A picture of: a quiet harbour');
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('dall-e-3', 'openai', 'image-generation', 'hd:1024x1792')), entry: 'hd:1024x1792' });
  });

  it('leaves auto options to the provider and charges what it made, not the worst case held', async () => {
    const { data, response } = await client.images.generate({ model: 'gpt-image-1', prompt: 'auto everything', response_format: 'b64_json' }).withResponse();
    expect({ quality: data.quality, size: data.size }).toEqual({ quality: 'high', size: '1024x1024' });
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('gpt-image-1', 'openai', 'image-generation', 'high:1024x1024')), entry: 'high:1024x1024' });
  });
});

describe('image edits', () => {
  it('edits several images with a mask (multipart image[] + mask) and returns a stored PNG', async () => {
    const source = pngBytes(64, 64, 3);
    const { data, response } = await client.images
      .edit({
        model: 'gpt-image-1',
        prompt: 'make it night',
        image: [await upload(source, 'day.png', 'image/png'), await upload(pngBytes(64, 64, 4), 'other.png', 'image/png')],
        mask: await upload(pngBytes(64, 64, 5), 'mask.png', 'image/png'),
        size: '1024x1024',
        quality: 'low',
      })
      .withResponse();
    contract('/v1/images/edits', data);
    const download = await fetch(data.data![0]!.url!);
    expect(decodePng(new Uint8Array(await download.arrayBuffer()))).toEqual({ width: 1024, height: 1024 });
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('gpt-image-1', 'openai', 'image-edit', 'low:1024x1024')), entry: 'low:1024x1024' });
  });

  it('edits one DALL·E 2 square PNG, whatever the client named the file', async () => {
    const data = await client.images.edit({ model: 'dall-e-2', prompt: 'add snow', image: await upload(pngBytes(128, 128), 'photo.upload'), size: '512x512', response_format: 'b64_json' });
    expect(decodePng(Buffer.from(data.data![0]!.b64_json!, 'base64'))).toEqual({ width: 512, height: 512 });
  });
});

describe('speech', () => {
  it('answers WAV bytes with their content type, billed per input character', async () => {
    const input = 'The gateway speaks: forty-two characters.';
    const { data, response } = await client.audio.speech.create({ model: 'tts-1', input, voice: 'coral', response_format: 'wav' }).withResponse();
    expect(response.headers.get('content-type')).toBe('audio/wav');
    const info = readWavInfo(new Uint8Array(await data.arrayBuffer()));
    expect(info).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    expect(info!.durationSeconds).toBeCloseTo(input.length / 15, 3);
    const perCharacter = catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6;
    expectCharge(receiptOf(response), { key: 'input_characters', unit: 'characters', quantity: input.length, amount: atomic(input.length * perCharacter) });
  });

  it.each([
    ['mp3', 'audio/mpeg'],
    ['flac', 'audio/flac'],
    ['opus', 'audio/ogg'],
    ['aac', 'audio/aac'],
  ] as const)('answers %s as %s at the requested speed', async (format, type) => {
    const input = 'Sixty characters of text to say, at twice the usual speed!!';
    const { data, response } = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', input, voice: 'ballad', response_format: format, speed: 2, instructions: 'whisper' }).withResponse();
    expect(response.headers.get('content-type')).toBe(type);
    expect(audioSeconds(new Uint8Array(await data.arrayBuffer()))).toBeCloseTo(input.length / 15 / 2, 1);
  });

  it('counts characters as code points', async () => {
    const input = 'naïve café 😀';
    const { response } = await client.audio.speech.create({ model: 'tts-1', input, voice: 'alloy' }).withResponse();
    expect(receiptOf(response).line_items[0]!.quantity).toBe([...input].length);
  });
});

describe('transcription', () => {
  it('transcribes a WAV to JSON, billed per minute of the audio it holds', async () => {
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(7), 'meeting.wav') }).withResponse();
    contract('/v1/audio/transcriptions', data);
    expect(data.text).toBe('Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.');
    expect((data as { usage?: unknown }).usage).toEqual({ type: 'duration', seconds: 7 });
    const perMinute = catalogPrice('whisper-1', 'openai', 'transcription', 'input');
    expectCharge(receiptOf(response), { key: 'audio_minutes', unit: 'audio_minutes', quantity: 7 / 60, amount: atomic((7 / 60) * perMinute) });
  });

  it('answers verbose JSON with language, duration and timed segments', async () => {
    const data = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(11), 'a.wav'), response_format: 'verbose_json', language: 'en' });
    contract('/v1/audio/transcriptions', data);
    expect(data).toMatchObject({ task: 'transcribe', language: 'english', duration: 11 });
    expect(data.segments!.map((s) => [s.id, s.start, s.end])).toEqual([[0, 0, 5], [1, 5, 10], [2, 10, 11]]);
  });

  it.each([
    ['text', 'Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.\n'],
    ['srt', '1\n00:00:00,000 --> 00:00:05,000\nSentence 1 of the simulated transcript.\n\n2\n00:00:05,000 --> 00:00:06,000\nSentence 2 of the simulated transcript.\n\n'],
    ['vtt', 'WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nSentence 1 of the simulated transcript.\n\n00:00:05.000 --> 00:00:06.000\nSentence 2 of the simulated transcript.\n\n'],
  ] as const)('answers %s as plain text', async (format, expected) => {
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(6), 'a.wav'), response_format: format }).withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(data).toBe(expected);
  });

  it('gives GPT-4o transcribe models, which return no segments, one segment spanning the audio', async () => {
    const data = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await upload(wavBytes(4), 'a.wav'), response_format: 'srt' });
    expect(data).toBe('1\n00:00:00,000 --> 00:00:04,000\nSentence 1 of the simulated transcript.\n\n');
  });

  it('holds an MP3 at the bound its size allows and charges the duration the provider reports', async () => {
    const mp3 = mp3Bytes(9.6);
    const { data, response } = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(mp3, 'voice.mp3'), response_format: 'verbose_json' }).withResponse();
    const seconds = Math.floor(data.duration * 1000) / 1000;
    expect(seconds).toBeCloseTo(9.6, 1);
    expect(receiptOf(response).line_items[0]!.quantity).toBeCloseTo(seconds / 60, 9);
  });
});

describe('receipts in bodies', () => {
  it('puts the receipt the headers carry in every native JSON answer: embeddings, images, json and verbose_json transcripts', async () => {
    const answers = [
      await client.embeddings.create({ model: 'text-embedding-3-small', input: 'receipted', encoding_format: 'float' }).withResponse(),
      await client.images.generate({ model: 'gpt-image-1', prompt: 'receipted', quality: 'low', size: '1024x1024', response_format: 'b64_json' }).withResponse(),
      await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(2), 'a.wav') }).withResponse(),
      await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(2), 'a.wav'), response_format: 'verbose_json' }).withResponse(),
    ];
    const paths = ['/v1/embeddings', '/v1/images/generations', '/v1/audio/transcriptions', '/v1/audio/transcriptions'];
    answers.forEach(({ data, response }, i) => {
      contract(paths[i]!, data);
      expect((data as unknown as { receipt: unknown }).receipt).toEqual(receiptOf(response));
    });
  });

  it('keeps the receipt in the headers only for bytes and plain-text answers', async () => {
    const speech = await client.audio.speech.create({ model: 'tts-1', input: 'Bytes only.', voice: 'alloy', response_format: 'wav' }).withResponse();
    expect(readWavInfo(new Uint8Array(await speech.data.arrayBuffer()))).toBeTruthy();
    expect(receiptOf(speech.response).line_items).toHaveLength(1);
    const srt = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(2), 'a.wav'), response_format: 'srt' }).withResponse();
    expect(srt.data).toMatch(/^1\n00:00:00,000 --> /);
    expect(receiptOf(srt.response).line_items).toHaveLength(1);
  });
});

describe('idempotent replays', () => {
  it('replays speech bytes and their receipt for free', async () => {
    const key = `speech-${Date.now()}`;
    const body = { model: 'tts-1', input: 'Say this once.', voice: 'echo', response_format: 'mp3' };
    const first = await gateway.post('/v1/audio/speech', body, { 'x-idempotency-key': key });
    const second = await gateway.post('/v1/audio/speech', body, { 'x-idempotency-key': key });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toBe('audio/mpeg');
    expect(second.headers.get('x-compose-stored-encoding')).toBeNull();
    expect(Buffer.from(await second.arrayBuffer()).equals(Buffer.from(await first.arrayBuffer()))).toBe(true);
    expect(second.headers.get('x-compose-receipt')).toBe(first.headers.get('x-compose-receipt'));
  });

  it('treats a resent multipart upload (new boundary) as the same request, and a different file as another', async () => {
    const key = `transcribe-${Date.now()}`;
    const send = (seconds: number) => {
      const form = new FormData();
      form.append('model', 'whisper-1');
      form.append('file', new Blob([wavBytes(seconds)], { type: 'audio/wav' }), 'a.wav');
      return gateway.fetch('/v1/audio/transcriptions', { method: 'POST', body: form, headers: { 'x-idempotency-key': key } });
    };
    const first = await send(2);
    const again = await send(2);
    const other = await send(3);
    expect([first.status, again.status, other.status]).toEqual([200, 200, 422]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
  });
});

describe('budgets', () => {
  it('a failed provider call charges nothing: a key holding exactly one call still makes it afterwards', async () => {
    const input = 'Exactly one call fits.';
    const price = catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6;
    const key = await gateway.mintDevKey(Number(atomic(input.length * price)) / 1e6);
    const failing = await gateway.fetch('/v1/audio/speech', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input: 'SIM_FAULT=400 no way.', voice: 'alloy' }),
    });
    expect([failing.status, ((await failing.json()) as { error: { code: string } }).error.code]).toEqual([400, 'upstream_bad_request']);
    const paid = await gateway.client(key).audio.speech.create({ model: 'tts-1', input, voice: 'alloy' }).withResponse();
    expect(receiptOf(paid.response).final_amount_wei).toBe(atomic(input.length * price));
    const broke = await gateway.client(key).audio.speech.create({ model: 'tts-1', input, voice: 'alloy' }).catch((error: unknown) => error);
    expect((broke as { status: number }).status).toBe(402);
  });

  it('anonymous native calls are offered a payment challenge (402); external ones need a key (401)', async () => {
    const body = JSON.stringify({ model: 'text-embedding-3-small', input: 'x' });
    const native = await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const outside = await fetch(`${gateway.url}/external/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect([native.status, outside.status]).toEqual([402, 401]);
  });
});

describe('the external mirror', () => {
  it('embeds, generates, speaks and transcribes in OpenAI shapes with diagnostic headers and no receipts', async () => {
    const embeddings = await external.embeddings.create({ model: 'text-embedding-3-small', input: 'outside', encoding_format: 'float' }).withResponse();
    contract('/external/v1/embeddings', embeddings.data);
    const images = await external.images.generate({ model: 'gpt-image-1', prompt: 'outside', quality: 'low', size: '1024x1024' }).withResponse();
    contract('/external/v1/images/generations', images.data);
    expect((await fetch(images.data.data![0]!.url!)).status).toBe(200);
    const speech = await external.audio.speech.create({ model: 'tts-1', input: 'From outside.', voice: 'nova', response_format: 'wav' }).withResponse();
    const audio = new Uint8Array(await speech.data.arrayBuffer());
    expect(readWavInfo(audio)?.durationSeconds).toBeCloseTo('From outside.'.length / 15, 3);
    const transcript = await external.audio.transcriptions.create({ model: 'whisper-1', file: await upload(Buffer.from(audio), 'back.wav') }).withResponse();
    contract('/external/v1/audio/transcriptions', transcript.data);
    for (const data of [embeddings.data, images.data, transcript.data]) expect(data).not.toHaveProperty('receipt');
    for (const { response } of [embeddings, images, speech, transcript]) {
      expect(response.headers.get('x-compose-receipt')).toBeNull();
      expect(response.headers.get('x-compose-upstream-provider')).toBe('openai');
      expect(response.headers.get('x-compose-public-model')).toBeTruthy();
    }
    expect(speech.response.headers.get('x-compose-upstream-model')).toBe('tts-1');
  });

  it('names where a failed call was routed, with the provider message sanitized', async () => {
    const response = await fetch(`${gateway.url}/external/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', input: 'SIM_FAULT=leak', voice: 'alloy' }),
    });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect([response.status, body.error.code]).toEqual([400, 'upstream_bad_request']);
    expect(body.error.message).not.toMatch(/sim-openai-key|https?:|internal\.openai/);
    expect(response.headers.get('x-compose-upstream-provider')).toBe('openai');
    expect(response.headers.get('x-compose-upstream-model')).toBe('tts-1');
  });
});
