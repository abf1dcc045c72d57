/**
 * Files too large to hold (an upload in the media bucket) reach every transcription provider as a stream of
 * known size: multipart framing written around the file's own stream (OpenAI, Azure OpenAI, ElevenLabs,
 * Cartesia), the stream as the raw body (Deepgram, Workers AI Whisper and Nova-3), or read whole, bounded, where
 * the provider takes base64 inside JSON (Workers AI Whisper turbo). Each adapter runs against its simulator,
 * which measures the audio it received: a transcript of the right duration means every byte arrived. Image
 * edits of an upload go the same way: streamed inside the multipart request to OpenAI and Azure OpenAI, read
 * whole (bounded) by the providers that take the image as base64 (DashScope wanx, FLUX Kontext). The simulators
 * are npm start's, reached over in-memory HTTP (support/in-memory-http.ts): Node's fetch sends the stream bodies,
 * a chunk at a time as the connection takes them, as it does over TCP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCartesiaSimulator } from '../../infra/local/simulators/cartesia-media/server.ts';
import { promptPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import type { StandaloneSimulator } from '../../infra/local/simulators/media-fixtures/standalone.ts';
import { startProviderSimulators, type ProviderSimulators } from '../../infra/local/simulators/index.ts';
import { createCartesiaAdapter } from '../../layers/providers/cartesia/adapter.ts';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { bytesOf, fetchSending, rawFileBody, streamedForm } from '../../layers/providers/http/streamed-body.ts';
import { createMediaAdapterResolver } from '../../layers/providers/media-registry.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import type { MediaAdapter, MediaFile, StreamedBytes } from '../../layers/providers/media-types.ts';
import type { ProviderId } from '../../layers/providers/types.ts';
import { audioDuration } from '../../layers/core/media/formats/duration.ts';
import { callOptions, decodePng, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

/** A file served in 16 KiB chunks, counting how often it is opened and how many bytes were read. */
const streamedFile = (bytes: Uint8Array, mediaType = 'audio/wav', filename = 'clip.wav') => {
  const stats = { opens: 0, bytesRead: 0 };
  const data: StreamedBytes = {
    byteLength: bytes.byteLength,
    head: bytes.subarray(0, 64 * 1024),
    open: () => {
      stats.opens += 1;
      let at = 0;
      return new ReadableStream<Uint8Array>({
        pull: (controller) => {
          if (at >= bytes.byteLength) return controller.close();
          const chunk = bytes.subarray(at, at + 16 * 1024);
          at += chunk.byteLength;
          stats.bytesRead += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
    },
  };
  const file: MediaFile<StreamedBytes> = { data, mediaType, filename };
  return { file, stats };
};

let simulators: ProviderSimulators;
let adapterFor: (provider: ProviderId) => MediaAdapter;
let cartesia: StandaloneSimulator;
let links: InMemoryHttp[] = [];
let cartesiaLink: InMemoryHttp;
beforeAll(async () => {
  simulators = await startProviderSimulators({}, { listen: false });
  const link = inMemoryHttp(...simulators.servers);
  adapterFor = createMediaAdapterResolver(createProviderCredentials({ env: { ...simulators.env } }), { hfPartnerOf: catalogPartner }, { fetch: link.fetch });
  cartesia = await startCartesiaSimulator({ apiKey: 'cartesia-media-key', listen: false });
  cartesiaLink = inMemoryHttp(cartesia);
  links = [link, cartesiaLink];
});
afterAll(async () => {
  for (const link of links) link.close();
  await simulators.close();
  await cartesia.close();
});

describe('streamed request bodies', () => {
  it('frame a streamed file as multipart that a standard parser reads back exactly', async () => {
    const bytes = speechAudio('wav', 1);
    const { file } = streamedFile(bytes);
    const body = streamedForm([['model', 'whisper-1'], ['note', 'a "quoted"\r\nvalue']], [{ field: 'file', data: file.data, mediaType: 'audio/wav', filename: 'my "clip".wav' }]);
    const raw = new Uint8Array(await new Response(body.open()).arrayBuffer());
    expect(raw.byteLength).toBe(body.length);
    const form = await new Response(raw, { headers: { 'content-type': body.contentType } }).formData();
    expect([form.get('model'), form.get('note')]).toEqual(['whisper-1', 'a "quoted"\r\nvalue']);
    const sent = form.get('file') as File;
    expect([sent.name, sent.type]).toEqual(['my "clip".wav', 'audio/wav']);
    expect(Buffer.from(await sent.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('frame several files in order, streamed and in memory alike, with their exact length', async () => {
    const image = promptPicture(48, 48, 3);
    const mask = promptPicture(48, 48, 4);
    const { file } = streamedFile(image, 'image/png', 'photo.png');
    const body = streamedForm([['prompt', 'add a hat']], [
      { field: 'image', data: file.data, mediaType: 'image/png', filename: 'photo.png' },
      { field: 'mask', data: mask, mediaType: 'image/png', filename: 'mask.png' },
    ]);
    const raw = new Uint8Array(await new Response(body.open()).arrayBuffer());
    expect(raw.byteLength).toBe(body.length);
    const form = await new Response(raw, { headers: { 'content-type': body.contentType } }).formData();
    const sent = await Promise.all(['image', 'mask'].map(async (name) => Buffer.from(await (form.get(name) as File).arrayBuffer())));
    expect([form.get('prompt'), sent[0]!.equals(image), sent[1]!.equals(mask)]).toEqual(['add a hat', true, true]);
  });

  it('open the body afresh for every attempt, with its Content-Length, never following a redirect', async () => {
    const { file, stats } = streamedFile(speechAudio('wav', 1));
    const seen: { length: string | null; bytes: number; redirect: RequestInit['redirect'] }[] = [];
    const fetch = fetchSending(rawFileBody(file) as Exclude<ReturnType<typeof rawFileBody>, Uint8Array>, async (_url, init) => {
      seen.push({ length: new Headers(init!.headers).get('content-length'), bytes: (await new Response(init!.body).arrayBuffer()).byteLength, redirect: init!.redirect });
      return new Response('ok');
    });
    await fetch('http://provider.invalid/a', { method: 'POST' });
    await fetch('http://provider.invalid/a', { method: 'POST' });
    expect(stats.opens).toBe(2);
    // Never following redirects: Node's fetch would otherwise tee the body and keep every chunk it sent.
    const sent = { length: String(file.data.byteLength), bytes: file.data.byteLength, redirect: 'error' };
    expect(seen).toEqual([sent, sent]);
  });

  it('read a file whole only where a provider needs it, and never past the bound', async () => {
    const bytes = speechAudio('wav', 1);
    expect(Buffer.from(await bytesOf(streamedFile(bytes).file, bytes.byteLength)).equals(Buffer.from(bytes))).toBe(true);
    const tooLarge = await rejection(bytesOf(streamedFile(bytes).file, bytes.byteLength - 1));
    expect([tooLarge.status, tooLarge.code]).toEqual([413, 'file_too_large']);
  });

  it('know the length of a streamed WAV from its first bytes and its size', () => {
    const { file } = streamedFile(speechAudio('wav', 3));
    expect(audioDuration({ ...file.data, head: file.data.head.subarray(0, 44) })).toEqual({ seconds: 3, exact: true });
  });
});

describe('every transcription adapter takes a streamed file', () => {
  it.each([
    ['openai', 'whisper-1'],
    ['openai', 'gpt-4o-transcribe'],
    ['azure', 'whisper'],
    ['cloudflare', '@cf/openai/whisper'],
    ['cloudflare', '@cf/openai/whisper-large-v3-turbo'],
    ['cloudflare', '@cf/deepgram/nova-3'],
    ['deepgram', 'nova-3'],
    ['elevenlabs', 'scribe_v1'],
    ['cartesia', 'ink-whisper'],
  ] as const)('%s %s: the whole file arrives, read once', async (provider, model) => {
    const bytes = speechAudio('wav', 4);
    const { file, stats } = streamedFile(bytes);
    const result = await adapterFor(provider).transcribe!({ model, file }, callOptions());
    expect(result.durationSeconds).toBeCloseTo(4, 1);
    expect(result.text.length).toBeGreaterThan(0);
    expect(stats).toEqual({ opens: 1, bytesRead: bytes.byteLength });
  });

  it('sends the file again when a provider asks for a retry', async () => {
    const { file, stats } = streamedFile(speechAudio('wav', 2));
    const retries: string[] = [];
    const adapter = createCartesiaAdapter({
      baseURL: cartesia.url,
      apiKey: () => 'cartesia-media-key',
      fetch: (input, init) => cartesiaLink.fetch(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), 'x-sim-fault': '503-once' } }),
    });
    const result = await adapter.transcribe!({ model: 'ink-whisper', file }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
    expect(stats.opens).toBe(2);
    expect(result.durationSeconds).toBeCloseTo(2, 1);
  });
});

describe('every image edit adapter takes an uploaded image', () => {
  const edit = (model: string, mask?: boolean) => {
    const source = promptPicture(64, 64, 5);
    const { file, stats } = streamedFile(source, 'image/png', 'photo.png');
    const request = { model, prompt: 'add a hat', n: 1, size: '1024x1024', quality: model.startsWith('gpt-image') ? 'low' : 'standard', images: [file] };
    return { request: mask ? { ...request, mask: { data: promptPicture(64, 64, 6), mediaType: 'image/png', filename: 'mask.png' } } : request, stats, size: source.byteLength };
  };

  it.each([
    ['openai', 'gpt-image-1', true],
    ['azure', 'gpt-image-1', true],
    ['alibaba', 'wanx2.1-imageedit', true],
    ['fireworks', 'accounts/fireworks/models/flux-kontext-pro', false],
  ] as const)('%s %s: the whole image reaches the provider, read once', async (provider, model, mask) => {
    const { request, stats, size } = edit(model, mask);
    const result = await adapterFor(provider).editImage!(request, callOptions());
    expect(result.images).toHaveLength(1);
    expect(decodePng(result.images[0]!.data).width).toBeGreaterThan(0);
    expect(stats).toEqual({ opens: 1, bytesRead: size });
  });

  it('refuses, before reading it, an upload past the bound where the provider takes base64', async () => {
    const { request, stats } = edit('wanx2.1-imageedit');
    const huge = { ...request, images: [{ ...request.images[0]!, data: { ...request.images[0]!.data, byteLength: 51 * 1024 * 1024 } }] };
    const refused = await rejection(adapterFor('alibaba').editImage!(huge, callOptions()));
    expect([refused.status, refused.code]).toEqual([413, 'file_too_large']);
    expect(stats.opens).toBe(0);
  });
});
