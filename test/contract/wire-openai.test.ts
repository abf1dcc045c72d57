/**
 * The gateway's OpenAI and Azure OpenAI adapters send what the official `openai` SDK (7.60) sends for the same
 * operation: both go through a loopback recorder in front of the simulator, and the captures (method, path,
 * query, auth header, body fields, multipart parts) are compared. The differences that remain are listed, with
 * their reason, in layers/providers/openai-compatible/README.md; any other difference fails here.
 */
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { tonePcm } from '../../infra/local/simulators/openai-media/encode/tone.ts';
import { startOpenAIVideoSimulator, type OpenAIVideoSimulator } from '../../infra/local/simulators/openai-video/server.ts';
import { azureProfile } from '../../layers/providers/azure/profile.ts';
import { createAzureMediaAdapter } from '../../layers/providers/azure/media/adapter.ts';
import { createOpenAICompatibleAdapter } from '../../layers/providers/openai-compatible/adapter.ts';
import { createOpenAIMediaAdapter } from '../../layers/providers/openai/media/adapter.ts';
import { openaiProfile } from '../../layers/providers/openai/profile.ts';
import { createOpenAIVideoAdapter } from '../../layers/providers/openai/video/adapter.ts';
import type { StreamPart } from '../../layers/providers/types.ts';
import { wavFromPcm } from '../../layers/core/media/formats/wav.ts';
import { callOptions, readAll } from '../support/media-providers.ts';
import { MEANINGFUL_HEADERS, startWireRecorder, wireDiff, type CapturedRequest, type WireRecorder } from '../support/wire-recorder.ts';

const KEY = 'sk-wire-openai-0123456789';
const AZURE_KEY = 'azure-wire-key';
const API_VERSION = '2025-04-01-preview';
let sim: OpenAICompatibleSimulator;
let azureSim: OpenAICompatibleSimulator;
let videoSim: OpenAIVideoSimulator;
let rec: WireRecorder;
let azureRec: WireRecorder;
let videoRec: WireRecorder;

beforeAll(async () => {
  [sim, azureSim, videoSim] = await Promise.all([
    startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: KEY }),
    startOpenAICompatibleSimulator({ flavor: 'azure', apiKey: AZURE_KEY }),
    startOpenAIVideoSimulator({ apiKey: KEY, renderMs: 50, queuedMs: 10 }),
  ]);
  [rec, azureRec, videoRec] = await Promise.all([startWireRecorder(sim.origin), startWireRecorder(azureSim.origin), startWireRecorder(new URL(videoSim.url).origin)]);
});
afterAll(() => Promise.all([rec?.close(), azureRec?.close(), videoRec?.close(), sim?.close(), azureSim?.close(), videoSim?.close()]));

const sdk = () => new OpenAI({ apiKey: KEY, baseURL: `${rec.origin}/v1`, maxRetries: 0 });
const azureSdk = () => new AzureOpenAI({ apiKey: AZURE_KEY, endpoint: azureRec.origin, apiVersion: API_VERSION, maxRetries: 0 });
const transport = () => ({ baseURL: `${rec.origin}/v1`, apiKey: () => KEY, maxRetries: 0 });
const azureTransport = () => ({ baseURL: azureRec.origin, apiKey: () => AZURE_KEY, maxRetries: 0, options: { apiVersion: API_VERSION } });
const wav = (seconds: number): Uint8Array => wavFromPcm(tonePcm(seconds, 16_000), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
const drain = async (parts: AsyncIterable<StreamPart>): Promise<void> => {
  for await (const part of parts) void part;
};

/** The one request each side made, compared. */
const compare = async (recorder: WireRecorder, viaSdk: () => Promise<unknown>, viaAdapter: () => Promise<unknown>): Promise<string[]> => {
  const [a] = await recorder.during(viaSdk);
  const [b] = await recorder.during(viaAdapter);
  expect(a, 'the SDK made a request').toBeDefined();
  expect(b, 'the adapter made a request').toBeDefined();
  return wireDiff(a as CapturedRequest, b as CapturedRequest);
};

const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });

describe('OpenAI adapter vs openai SDK', () => {
  it('chat completion', async () => {
    const diff = await compare(
      rec,
      () => sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }], max_completion_tokens: 64, temperature: 0.2 }),
      () => createOpenAICompatibleAdapter(openaiProfile, transport()).generate({ model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, user('Hello')], maxOutputTokens: 64, temperature: 0.2 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('chat completion streamed, with tools', async () => {
    const tool = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };
    const diff = await compare(
      rec,
      async () => {
        for await (const chunk of await sdk().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather?' }], tools: [tool], tool_choice: 'auto', stream: true, stream_options: { include_usage: true } })) void chunk;
      },
      async () =>
        drain(
          await createOpenAICompatibleAdapter(openaiProfile, transport()).stream(
            { model: 'gpt-4o-mini', messages: [user('Weather?')], tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: tool.function.parameters }], toolChoice: 'auto' },
            callOptions(),
          ),
        ),
    );
    expect(diff).toEqual([]);
  });

  it('embeddings (the SDK asked for floats, as the adapter always does)', async () => {
    const diff = await compare(
      rec,
      () => sdk().embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 64, encoding_format: 'float' }),
      () => createOpenAIMediaAdapter(transport()).embed!({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 64 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('image generation, plain and streamed', async () => {
    expect(
      await compare(
        rec,
        () => sdk().images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1, size: '1024x1024', quality: 'low' }),
        () => createOpenAIMediaAdapter(transport()).generateImage!({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1, size: '1024x1024', quality: 'low' }, callOptions()),
      ),
    ).toEqual([]);
    expect(
      await compare(
        rec,
        async () => {
          for await (const event of await sdk().images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1, size: '1024x1024', quality: 'low', stream: true, partial_images: 1 })) void event;
        },
        async () => {
          for await (const event of await createOpenAIMediaAdapter(transport()).streamImageGeneration!({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1, size: '1024x1024', quality: 'low', partialImages: 1 }, callOptions())) void event;
        },
      ),
    ).toEqual([]);
  });

  it('image edit (multipart)', async () => {
    const png = Buffer.from((await sdk().images.generate({ model: 'gpt-image-1', prompt: 'a square', size: '1024x1024', quality: 'low' })).data![0]!.b64_json!, 'base64');
    const diff = await compare(
      rec,
      async () => sdk().images.edit({ model: 'gpt-image-1', prompt: 'make it blue', n: 1, size: '1024x1024', quality: 'low', image: await toFile(png, 'image-0.png', { type: 'image/png' }) }),
      () => createOpenAIMediaAdapter(transport()).editImage!({ model: 'gpt-image-1', prompt: 'make it blue', n: 1, size: '1024x1024', quality: 'low', images: [{ data: new Uint8Array(png), mediaType: 'image/png' }] }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('speech', async () => {
    const diff = await compare(
      rec,
      async () => (await sdk().audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello.', response_format: 'mp3', speed: 1.25, instructions: 'Calm.' })).arrayBuffer(),
      async () => readAll((await createOpenAIMediaAdapter(transport()).speak!({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello.', format: 'mp3', speed: 1.25, instructions: 'Calm.' }, callOptions())).audio),
    );
    // The SDK asks for `accept: application/octet-stream`; the adapter takes whatever audio type comes back.
    expect(diff).toEqual([]);
  });

  it('transcription, whole (Whisper) and streamed (GPT-4o)', async () => {
    const audio = wav(1.5);
    expect(
      await compare(
        rec,
        async () => sdk().audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'note.wav', { type: 'audio/wav' }), response_format: 'verbose_json', language: 'en' }),
        () => createOpenAIMediaAdapter(transport()).transcribe!({ model: 'whisper-1', file: { data: audio, mediaType: 'audio/wav', filename: 'note.wav' }, language: 'en' }, callOptions()),
      ),
    ).toEqual([]);
    expect(
      await compare(
        rec,
        async () => {
          for await (const event of await sdk().audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await toFile(audio, 'note.wav', { type: 'audio/wav' }), response_format: 'json', stream: true })) void event;
        },
        async () => {
          for await (const event of await createOpenAIMediaAdapter(transport()).streamTranscription!({ model: 'gpt-4o-transcribe', file: { data: audio, mediaType: 'audio/wav', filename: 'note.wav' } }, callOptions())) void event;
        },
      ),
    ).toEqual([]);
  });

  it('video job: create (multipart) and status', async () => {
    const sdkVideos = () => new OpenAI({ apiKey: KEY, baseURL: `${videoRec.origin}/v1`, maxRetries: 0 }).videos;
    const adapter = () => createOpenAIVideoAdapter({ baseURL: `${videoRec.origin}/v1`, apiKey: () => KEY, maxRetries: 0 });
    let id = '';
    expect(
      await compare(
        videoRec,
        () => sdkVideos().create({ model: 'sora-2', prompt: 'a paper boat', seconds: '4', size: '1280x720' }),
        async () => (id = (await adapter().submitVideo({ model: 'sora-2', prompt: 'a paper boat', durationSeconds: 4, resolution: '720p', aspectRatio: '16:9' }, callOptions())).operationId),
      ),
    ).toEqual([]);
    expect(await compare(videoRec, () => sdkVideos().retrieve(id), () => adapter().pollVideo(id, callOptions()))).toEqual([]);
    // The download the video worker makes from a completed job: URL and headers the adapter hands it.
    let state = await adapter().pollVideo(id, callOptions());
    await vi.waitFor(async () => {
      state = await adapter().pollVideo(id, callOptions());
      expect(state.status).toBe('completed');
    }, { timeout: 30_000, interval: 25 });
    const done = state as Extract<typeof state, { status: 'completed' }>;
    const [a] = await videoRec.during(async () => (await sdkVideos().downloadContent(id)).arrayBuffer());
    const [b] = await videoRec.during(async () => (await fetch(done.videoUrl, { headers: done.headers })).arrayBuffer());
    expect(wireDiff(a!, b!, [...MEANINGFUL_HEADERS, 'accept'])).toEqual([]);
  });
});

describe('Azure OpenAI adapters vs AzureOpenAI', () => {
  it('chat completion on the deployment path with api-version and api-key', async () => {
    const diff = await compare(
      azureRec,
      () => azureSdk().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hello' }], max_completion_tokens: 32 }),
      () => createOpenAICompatibleAdapter(azureProfile, azureTransport()).generate({ model: 'gpt-4o', messages: [user('Hello')], maxOutputTokens: 32 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('embeddings, images, speech and transcription', async () => {
    const media = () => createAzureMediaAdapter(azureTransport());
    expect(
      await compare(
        azureRec,
        () => azureSdk().embeddings.create({ model: 'text-embedding-3-small', input: 'azure', encoding_format: 'float' }),
        () => media().embed!({ model: 'text-embedding-3-small', input: ['azure'] }, callOptions()),
      ),
    ).toEqual([]);
    expect(
      await compare(
        azureRec,
        () => azureSdk().images.generate({ model: 'gpt-image-1', prompt: 'a harbour', n: 1, size: '1024x1024', quality: 'low' }),
        () => media().generateImage!({ model: 'gpt-image-1', prompt: 'a harbour', n: 1, size: '1024x1024', quality: 'low' }, callOptions()),
      ),
    ).toEqual([]);
    expect(
      await compare(
        azureRec,
        async () => (await azureSdk().audio.speech.create({ model: 'tts', voice: 'alloy', input: 'Hi.', response_format: 'mp3' })).arrayBuffer(),
        async () => readAll((await media().speak!({ model: 'tts', voice: 'alloy', input: 'Hi.', format: 'mp3' }, callOptions())).audio),
      ),
    ).toEqual([]);
    const audio = wav(1);
    expect(
      await compare(
        azureRec,
        async () => azureSdk().audio.transcriptions.create({ model: 'whisper', file: await toFile(audio, 'a.wav', { type: 'audio/wav' }), response_format: 'verbose_json' }),
        () => media().transcribe!({ model: 'whisper', file: { data: audio, mediaType: 'audio/wav', filename: 'a.wav' } }, callOptions()),
      ),
    ).toEqual([]);
  });
});
