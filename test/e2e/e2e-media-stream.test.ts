/**
 * Streamed media calls end to end: `stream: true` (with `partial_images`) on image generations and edits, and
 * `stream_format: sse` on speech, through the official `openai` SDK and on the raw wire, against the local
 * runtime and the openai and azure simulators. Partial images are real PNGs; the finished image is stored when
 * answered by URL; only finished images (finished audio) are charged, nothing for a stream that finishes none;
 * native streams close with `[DONE]` then `compose.receipt`, external ones speak OpenAI only; an idempotent
 * replay sends the same stream again, free.
 */
import OpenAI from 'openai';
import type { ImageGenStreamEvent } from 'openai/resources/images';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import { dataFrames, drain, isComment, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesSchema } from '../support/openapi.ts';
import { atomic, catalogPrice, expectCharge, hangUpAfter as hangUpAfterSending, pngBytes, settledSpend, upload } from '../support/media-e2e.ts';
import { audioSeconds, decodePng } from '../support/media-providers.ts';
import { readWavInfo } from '../../layers/core/media/formats/wav.ts';

let gateway: E2eRuntime;
let client: OpenAI;
let external: OpenAI;

beforeAll(async () => {
  // Keep-alives every 250 ms, so a provider paced slower than that shows them.
  gateway = await startE2eRuntime({ chain: false, videos: false, env: { SSE_HEARTBEAT_MS: '250' } });
  client = gateway.client();
  external = new OpenAI({ baseURL: `${gateway.url}/external/v1`, apiKey: gateway.apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.close();
});

type StreamedEvent = ImageGenStreamEvent | ({ type: 'compose.receipt' } & ReceiptBody) | { type: string; url?: string };

const png = (b64: string) => decodePng(Buffer.from(b64, 'base64'));
const lowSquare = catalogPrice('gpt-image-1', 'openai', 'image-generation', 'low:1024x1024');

/** A raw call: the status, headers and SSE frames as written. */
const rawStream = async (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}, key = gateway.apiKey) => {
  const response = await gateway.fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { response, text, frames: response.headers.get('content-type')?.startsWith('text/event-stream') ? dataFrames(parseSse(text)) : [] };
};

describe('streamed image generation (native)', () => {
  it('streams real partial PNGs, then the finished image (stored, by URL), then the receipt — through the openai SDK', async () => {
    const stream = await client.images.generate({ model: 'gpt-image-1', prompt: 'a red kite', stream: true, partial_images: 2, size: '1024x1024', quality: 'low' });
    const events = (await drain(stream as AsyncIterable<StreamedEvent>)).items;
    expect(events.map((e) => e.type)).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);

    const [first, second, completed] = events as [OpenAI.Images.ImageGenPartialImageEvent, OpenAI.Images.ImageGenPartialImageEvent, OpenAI.Images.ImageGenCompletedEvent & { url?: string }];
    expect([first.partial_image_index, second.partial_image_index]).toEqual([0, 1]);
    for (const event of [first, second, completed]) {
      expect(png(event.b64_json)).toEqual({ width: 1024, height: 1024 });
      expect(event).toMatchObject({ size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png' });
      expect(event.created_at).toBeGreaterThan(0);
      expectMatchesSchema('ImageStreamEvent', event);
    }
    // Partial renderings are not the finished picture.
    expect(new Set([first.b64_json, second.b64_json, completed.b64_json]).size).toBe(3);
    expect(completed.usage).toMatchObject({ output_tokens: 472, input_tokens_details: { image_tokens: 0 } });
    const stored = await fetch(completed.url!);
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await stored.arrayBuffer()).toString('base64')).toBe(completed.b64_json);

    // The SDK stops at [DONE]; the receipt after it is for parsers that read on (next test).
  });

  it('names every event on the wire and closes with compose.receipt then [DONE]; b64_json answers store nothing', async () => {
    const { response, frames } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'wire', partial_images: 1, size: '1536x1024', quality: 'medium', response_format: 'b64_json' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-routing-final-model')).toBe('gpt-image-1');
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.partial_image', 'image_generation.completed', '[DONE]', 'compose.receipt']);
    for (const frame of frames.slice(0, 2)) expect((frame.json as { type: string }).type).toBe(frame.event);
    expect((frames[1]!.json as { url?: string }).url).toBeUndefined();
    expect(png((frames[1]!.json as { b64_json: string }).b64_json)).toEqual({ width: 1536, height: 1024 });
    expectMatchesSchema('ImageStreamEvent', frames[3]!.json);
    expectCharge(frames[3]!.json as ReceiptBody, { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('gpt-image-1', 'openai', 'image-generation', 'medium:1536x1024')), entry: 'medium:1536x1024' });
  });

  it('charges the images it finished, and reports in-band why a stream of two broke after one', async () => {
    const { frames } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'two kites SIM_FAULT=midstream-error', n: 2, size: '1024x1024', quality: 'low', response_format: 'b64_json' });
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.completed', 'compose.error', '[DONE]', 'compose.receipt']);
    expect(frames[1]!.json).toEqual({ error: { message: 'The image stream failed.', type: 'api_error', code: 'upstream_unavailable' } });
    expectCharge(frames[3]!.json as ReceiptBody, { key: 'images', unit: 'images', quantity: 1, amount: atomic(lowSquare), entry: 'low:1024x1024' });
  });

  it('a stream that finishes no image charges nothing: a key holding exactly one image still makes it afterwards', async () => {
    const key = await gateway.mintDevKey(Number(atomic(lowSquare)) / 1e6);
    const body = { model: 'gpt-image-1', stream: true, size: '1024x1024', quality: 'low', partial_images: 1, response_format: 'b64_json' };
    for (const fault of ['midstream-error', 'midstream-drop', 'malformed', 'truncate']) {
      const broken = await rawStream('/v1/images/generations', { ...body, prompt: `SIM_FAULT=${fault}` }, {}, key);
      expect(broken.frames.map((f) => f.event ?? f.data), fault).toEqual(['image_generation.partial_image', 'compose.error', '[DONE]']);
      expect((broken.frames[1]!.json as { error: { code: string } }).error.code, fault).toMatch(/^upstream_/);
    }
    const paid = await rawStream('/v1/images/generations', { ...body, prompt: 'now it works' }, {}, key);
    expect(paid.frames.at(-1)!.event).toBe('compose.receipt');
    const broke = await rawStream('/v1/images/generations', { ...body, prompt: 'no budget left' }, {}, key);
    expect(broke.response.status).toBe(402);
  });

  it('keeps the connection alive while the provider is silent, before its answer and between its events', async () => {
    const { text, frames } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'slowly SIM_FAULT=slow:700,chunk-delay:700', partial_images: 1, size: '1024x1024', quality: 'low', response_format: 'b64_json' });
    const all = parseSse(text);
    const firstEvent = all.findIndex((frame) => !isComment(frame));
    const completed = all.findIndex((frame) => !isComment(frame) && frame.event === 'image_generation.completed');
    expect(all.slice(0, firstEvent).filter(isComment).map((frame) => frame.comment)).toContain('keep-alive');
    expect(all.slice(firstEvent + 1, completed).some(isComment)).toBe(true);
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.partial_image', 'image_generation.completed', '[DONE]', 'compose.receipt']);
  });

  it('answers a provider refusal before the first event as an HTTP error, not a stream', async () => {
    const { response, text } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'SIM_FAULT=400 no' });
    expect(response.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'upstream_bad_request' } });
  });

  it('refuses a partial_images count OpenAI does not offer, before any money moves', async () => {
    const { response, text } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'x', partial_images: 4 });
    expect([response.status, JSON.parse(text).error.param]).toEqual([400, 'partial_images']);
  });

  it('streams a model that cannot stream as its finished images only: no partials are invented', async () => {
    const { frames } = await rawStream('/v1/images/generations', { stream: true, model: 'dall-e-3', prompt: 'a quiet harbour', partial_images: 3, size: '1024x1024', quality: 'standard', response_format: 'b64_json' });
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.completed', '[DONE]', 'compose.receipt']);
    expect(frames[0]!.json).toMatchObject({ size: '1024x1024', quality: 'standard', revised_prompt: 'A picture of: a quiet harbour' });
    expectMatchesSchema('ImageStreamEvent', frames[0]!.json);
    expectCharge(frames[2]!.json as ReceiptBody, { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('dall-e-3', 'openai', 'image-generation', 'standard:1024x1024')), entry: 'standard:1024x1024' });
  });

  it('streams a provider whose adapter cannot stream images (Fireworks FLUX) as its finished image', async () => {
    const { frames } = await rawStream('/v1/images/generations', { stream: true, model: 'accounts/fireworks/models/flux-1-schnell-fp8', provider: 'fireworks', prompt: 'a lighthouse', response_format: 'b64_json' });
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.completed', '[DONE]', 'compose.receipt']);
    expect(png((frames[0]!.json as { b64_json: string }).b64_json).width).toBeGreaterThan(0);
  });

  it('streams GPT Image on Azure OpenAI deployments the same way', async () => {
    const { frames } = await rawStream('/v1/images/generations', { stream: true, model: 'gpt-image-1', provider: 'azure', prompt: 'azure kite', partial_images: 1, size: '1024x1024', quality: 'low', response_format: 'b64_json' });
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.partial_image', 'image_generation.completed', '[DONE]', 'compose.receipt']);
    expect(png((frames[0]!.json as { b64_json: string }).b64_json)).toEqual({ width: 1024, height: 1024 });
    expectCharge(frames[3]!.json as ReceiptBody, { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('gpt-image-1', 'azure', 'image-generation', 'low:1024x1024')), entry: 'low:1024x1024' });
  });
});

describe('streamed image edits', () => {
  it('streams image_edit events through the openai SDK', async () => {
    const stream = await client.images.edit({
      model: 'gpt-image-1',
      prompt: 'make it night',
      image: await upload(pngBytes(64, 64, 3), 'day.png', 'image/png'),
      size: '1024x1024',
      quality: 'low',
      stream: true,
      partial_images: 1,
    });
    const events = (await drain(stream as AsyncIterable<{ type: string; b64_json?: string }>)).items;
    expect(events.map((e) => e.type)).toEqual(['image_edit.partial_image', 'image_edit.completed']);
    expect(png(events[1]!.b64_json!)).toEqual({ width: 1024, height: 1024 });
  });
});

describe('idempotent replays of a stream', () => {
  it('sends the same stream again without running or charging it twice', async () => {
    const key = await gateway.mintDevKey(Number(atomic(lowSquare)) / 1e6);
    const body = { model: 'gpt-image-1', stream: true, prompt: 'once only', partial_images: 1, size: '1024x1024', quality: 'low', response_format: 'b64_json' };
    const headers = { 'x-idempotency-key': `image-stream-${Date.now()}` };
    const first = await rawStream('/v1/images/generations', body, headers, key);
    const again = await rawStream('/v1/images/generations', body, headers, key);
    expect([first.response.status, again.response.status]).toEqual([200, 200]);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The same events (keep-alives are not part of an answer).
    expect(again.frames).toEqual(first.frames);
    // The key held exactly one image: a second charge would have been refused.
    const fresh = await rawStream('/v1/images/generations', { ...body, prompt: 'another' }, {}, key);
    expect(fresh.response.status).toBe(402);
  });
});

describe('streamed image generation (external)', () => {
  it('speaks OpenAI only: no compose events, the diagnostic headers, and an in-band error the SDK throws', async () => {
    const { data: stream, response } = await external.images.generate({ model: 'gpt-image-1', prompt: 'outside', stream: true, partial_images: 1, size: '1024x1024', quality: 'low' }).withResponse();
    expect(response.headers.get('x-compose-upstream-provider')).toBe('openai');
    const events = (await drain(stream as AsyncIterable<{ type: string; url?: string }>)).items;
    expect(events.map((e) => e.type)).toEqual(['image_generation.partial_image', 'image_generation.completed']);
    expect((await fetch(events[1]!.url!)).status).toBe(200);

    const { frames } = await rawStream('/external/v1/images/generations', { stream: true, model: 'gpt-image-1', prompt: 'outside', response_format: 'b64_json' });
    expect(frames.map((f) => f.event ?? f.data)).toEqual(['image_generation.completed', '[DONE]']);

    const broken = await external.images.generate({ model: 'gpt-image-1', prompt: 'SIM_FAULT=midstream-error', stream: true, partial_images: 1 });
    const { items, error } = await drain(broken as AsyncIterable<{ type: string }>);
    expect(items.map((e) => e.type)).toEqual(['image_generation.partial_image']);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('upstream_unavailable');
  });
});

describe('speech as Server-Sent Events', () => {
  /** The audio the delta events carry, put back together. */
  const audioOf = (frames: readonly { json: unknown }[]): Uint8Array =>
    Buffer.concat(frames.filter((f) => (f.json as { type?: string } | undefined)?.type === 'speech.audio.delta').map((f) => Buffer.from((f.json as { audio: string }).audio, 'base64')));

  it('sends gpt-4o-mini-tts audio as speech.audio.delta events as it arrives, then speech.audio.done and the receipt', async () => {
    const input = 'Streamed speech, one chunk at a time, as it is made.';
    const { response, frames } = await rawStream('/v1/audio/speech', { model: 'gpt-4o-mini-tts', input, voice: 'ballad', response_format: 'wav', stream_format: 'sse' });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const kinds = frames.map((f) => f.event ?? f.data);
    expect(kinds.filter((k) => k === 'speech.audio.delta').length).toBeGreaterThan(1);
    expect(kinds.slice(-3)).toEqual(['speech.audio.done', '[DONE]', 'compose.receipt']);
    for (const frame of frames.filter((f) => f.data !== '[DONE]')) expectMatchesSchema('SpeechStreamEvent', frame.json);
    const info = readWavInfo(audioOf(frames));
    expect(info).toMatchObject({ sampleRate: 24_000, channels: 1, bitsPerSample: 16 });
    expect(info!.durationSeconds).toBeCloseTo(input.length / 15, 3);
    const perCharacter = catalogPrice('gpt-4o-mini-tts', 'openai', 'speech', 'input') / 1e6;
    expectCharge(frames.at(-1)!.json as ReceiptBody, { key: 'input_characters', unit: 'characters', quantity: input.length, amount: atomic(input.length * perCharacter) });
  });

  it('streams any speech model this way (tts-1 as MP3)', async () => {
    const input = 'Plain text to speech.';
    const { frames } = await rawStream('/v1/audio/speech', { model: 'tts-1', input, voice: 'alloy', stream_format: 'sse' });
    expect(frames.at(-3)!.event).toBe('speech.audio.done');
    expect(audioSeconds(audioOf(frames))).toBeCloseTo(input.length / 15, 1);
  });

  it('charges nothing for audio that broke off, says why in-band, and sends the external stream without compose events', async () => {
    const input = 'A long enough sentence to need a second chunk of audio. SIM_FAULT=midstream-drop';
    const key = await gateway.mintDevKey(Number(atomic(input.length * (catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6))) / 1e6);
    const broken = await rawStream('/v1/audio/speech', { model: 'tts-1', input, voice: 'alloy', response_format: 'wav', stream_format: 'sse' }, {}, key);
    expect(broken.frames.map((f) => f.event ?? f.data).slice(-2)).toEqual(['compose.error', '[DONE]']);
    expect(broken.frames.some((f) => f.event === 'speech.audio.done')).toBe(false);
    expect((broken.frames.at(-2)!.json as { error: { code: string } }).error.code).toBe('upstream_connection_lost');
    const paid = await rawStream('/v1/audio/speech', { model: 'tts-1', input: input.replace('midstream-drop', 'none'), voice: 'alloy', stream_format: 'sse' }, {}, key);
    expect(paid.frames.at(-1)!.event).toBe('compose.receipt');

    const outside = await rawStream('/external/v1/audio/speech', { model: 'tts-1', input: 'From outside.', voice: 'alloy', stream_format: 'sse' });
    expect(outside.frames.map((f) => f.event ?? f.data).slice(-2)).toEqual(['speech.audio.done', '[DONE]']);
    expect(outside.response.headers.get('x-compose-upstream-model')).toBe('tts-1');
  });

  it('replays a streamed answer whole, free', async () => {
    const body = { model: 'tts-1', input: 'Say it once.', voice: 'echo', stream_format: 'sse' };
    const headers = { 'x-idempotency-key': `speech-stream-${Date.now()}` };
    const first = await rawStream('/v1/audio/speech', body, headers);
    const again = await rawStream('/v1/audio/speech', body, headers);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.frames).toEqual(first.frames);
  });
});

describe('a client that hangs up mid-stream', () => {
  const hangUpAfter = (path: string, body: Record<string, unknown>, key: string, seen: string): Promise<void> =>
    hangUpAfterSending(`${gateway.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }, seen);

  it('owes the image whose partials it already holds, and only that one', async () => {
    const key = await gateway.mintDevKey(1);
    const body = { model: 'gpt-image-1', prompt: 'taken and gone SIM_FAULT=chunk-delay:400', stream: true, n: 1, partial_images: 3, size: '1024x1024', quality: 'low', response_format: 'b64_json' };
    await hangUpAfter('/v1/images/generations', body, key, 'image_generation.partial_image');
    expect(await settledSpend(gateway.env, key)).toBe(BigInt(atomic(lowSquare)));
  });

  it('owes nothing when it hangs up before any image arrived', async () => {
    const key = await gateway.mintDevKey(1);
    const body = { model: 'gpt-image-1', prompt: 'gone at once SIM_FAULT=slow:5000', stream: true, partial_images: 1, size: '1024x1024', quality: 'low', response_format: 'b64_json' };
    // Only keep-alives have arrived when it leaves (every 250 ms here).
    await hangUpAfter('/v1/images/generations', body, key, ': keep-alive');
    expect(await settledSpend(gateway.env, key)).toBe(0n);
  });

  it('owes the whole speech once it holds some of the audio (the provider bills every character)', async () => {
    const key = await gateway.mintDevKey(1);
    const input = 'A sentence long enough to arrive in several slow chunks of audio, one after another. SIM_FAULT=chunk-delay:300';
    await hangUpAfter('/v1/audio/speech', { model: 'tts-1', input, voice: 'alloy', response_format: 'wav', stream_format: 'sse' }, key, 'speech.audio.delta');
    expect(await settledSpend(gateway.env, key)).toBe(BigInt(atomic(input.length * (catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6))));
  });
});
