/**
 * The official `openai` SDK (7.60, pinned) drives the OpenAI simulators through every operation the gateway
 * uses: chat completions (plain, streamed with usage, tools), embeddings, image generation (also streamed) and
 * edits, speech (bytes and SSE), transcription (Whisper verbose JSON, GPT-4o streamed) and Sora video jobs. The
 * SDK must accept every answer and parse it into its own types; `AzureOpenAI` does the same against the Azure
 * flavor (deployment paths, `api-version`, `api-key`). A wire change in a later SDK shows up here.
 */
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { tonePcm } from '../../infra/local/simulators/openai-media/encode/tone.ts';
import { startOpenAIVideoSimulator, type OpenAIVideoSimulator } from '../../infra/local/simulators/openai-video/server.ts';
import { wavFromPcm } from '../../layers/core/media/formats/wav.ts';
import { decodePng } from '../support/media-providers.ts';

const KEY = 'sk-sdk-openai-0123456789';
let sim: OpenAICompatibleSimulator;
let azure: OpenAICompatibleSimulator;
let video: OpenAIVideoSimulator;
let client: OpenAI;

const wav = (seconds: number): Uint8Array => wavFromPcm(tonePcm(seconds, 16_000), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 });

beforeAll(async () => {
  [sim, azure, video] = await Promise.all([
    startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: KEY }),
    startOpenAICompatibleSimulator({ flavor: 'azure', apiKey: 'azure-sdk-key' }),
    startOpenAIVideoSimulator({ apiKey: KEY, renderMs: 50, queuedMs: 10 }),
  ]);
  client = new OpenAI({ apiKey: KEY, baseURL: sim.url, maxRetries: 0 });
});
afterAll(() => Promise.all([sim?.close(), azure?.close(), video?.close()]));

const WEATHER = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

describe('openai SDK against the OpenAI simulator', () => {
  it('chat completion: a parsed answer with usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], max_completion_tokens: 64 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.role).toBe('assistant');
    expect(completion.choices[0]!.message.content).toEqual(expect.any(String));
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('chat completion streamed: chunks, a finish reason and the usage chunk', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream please' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    expect(usage!.total_tokens).toBeGreaterThan(0);
  });

  it('chat completion with tools: a tool call the SDK’s stream helper assembles', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [WEATHER], tool_choice: 'required' });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    expect(() => JSON.parse(call.type === 'function' ? call.function.arguments : '')).not.toThrow();
  });

  it('embeddings: floats, and base64 the SDK decodes itself', async () => {
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'], dimensions: 32, encoding_format: 'float' });
    expect(floats.data.map((item) => item.embedding.length)).toEqual([32, 32]);
    // Without encoding_format the SDK asks for base64 and decodes it into numbers.
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'one', dimensions: 32 });
    expect(decoded.data[0]!.embedding).toHaveLength(32);
    expect(decoded.data[0]!.embedding[0]).toBeCloseTo(floats.data[0]!.embedding[0]!, 5);
    expect(decoded.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('image generation: GPT Image base64, and a stream of partial and completed events', async () => {
    const image = await client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low' });
    expect(decodePng(Buffer.from(image.data![0]!.b64_json!, 'base64'))).toEqual({ width: 1024, height: 1024 });
    const stream = await client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', size: '1024x1024', quality: 'low', stream: true, partial_images: 1 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_generation.partial_image', 'image_generation.completed']);
  });

  it('image edit: multipart with the SDK’s file upload', async () => {
    const source = Buffer.from((await client.images.generate({ model: 'gpt-image-1', prompt: 'a square', size: '1024x1024', quality: 'low' })).data![0]!.b64_json!, 'base64');
    const edited = await client.images.edit({ model: 'gpt-image-1', prompt: 'make it blue', image: await toFile(source, 'source.png', { type: 'image/png' }), size: '1024x1024', quality: 'low' });
    expect(decodePng(Buffer.from(edited.data![0]!.b64_json!, 'base64'))).toEqual({ width: 1024, height: 1024 });
  });

  it('speech: audio bytes, and the SSE stream format', async () => {
    const speech = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello there.', response_format: 'wav' });
    expect(speech.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await speech.arrayBuffer()).subarray(0, 4).toString('latin1')).toBe('RIFF');
    const events = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello there.', response_format: 'pcm', stream_format: 'sse' });
    const text = await events.text();
    const parsed = text.split('\n\n').filter(Boolean).map((frame) => JSON.parse(frame.replace(/^data: /, '')) as { type: string; audio?: string; usage?: unknown });
    expect(parsed.at(-1)).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: expect.any(Number) } });
    expect(parsed.slice(0, -1).every((event) => event.type === 'speech.audio.delta' && typeof event.audio === 'string')).toBe(true);
  });

  it('transcription: Whisper verbose JSON, and a streamed GPT-4o transcript', async () => {
    const verbose = await client.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(wav(2.5), 'note.wav', { type: 'audio/wav' }), response_format: 'verbose_json' });
    expect(verbose.duration).toBeCloseTo(2.5, 1);
    expect(verbose.segments!.length).toBeGreaterThan(0);
    const stream = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await toFile(wav(1.5), 'note.wav', { type: 'audio/wav' }), stream: true });
    const types = new Set<string>();
    for await (const event of stream) types.add(event.type);
    expect([...types]).toEqual(['transcript.text.delta', 'transcript.text.done']);
  });

  it('video jobs: create (multipart), poll until completed, download the MP4', async () => {
    const videos = new OpenAI({ apiKey: KEY, baseURL: video.url, maxRetries: 0 });
    const job = await videos.videos.create({ model: 'sora-2', prompt: 'a paper boat', seconds: '4', size: '1280x720' });
    expect(job.status).toBe('queued');
    let done = job;
    await vi.waitFor(async () => {
      done = await videos.videos.retrieve(job.id);
      expect(done.status).toBe('completed');
    }, { timeout: 30_000, interval: 25 });
    const content = await videos.videos.downloadContent(done.id);
    expect(Buffer.from(await content.arrayBuffer()).subarray(4, 8).toString('latin1')).toBe('ftyp');
  });
});

describe('AzureOpenAI against the Azure flavor', () => {
  const client = () => new AzureOpenAI({ apiKey: 'azure-sdk-key', endpoint: azure.url || azure.origin, apiVersion: '2025-04-01-preview', maxRetries: 0 });

  it('chat, streamed chat and embeddings on deployment paths with api-version and api-key', async () => {
    const completion = await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi Azure' }] });
    expect(completion.choices[0]!.message.content).toEqual(expect.any(String));
    const last = azure.requests.at(-1)!;
    expect([last.path, last.search, last.headers['api-key']]).toEqual(['/openai/deployments/gpt-4o/chat/completions', '?api-version=2025-04-01-preview', 'azure-sdk-key']);
    let text = '';
    for await (const chunk of await client().chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Stream' }], stream: true })) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const embedded = await client().embeddings.create({ model: 'text-embedding-3-small', input: 'azure', encoding_format: 'float' });
    expect(embedded.data[0]!.embedding.length).toBeGreaterThan(0);
  });

  it('images, speech and transcription on deployment paths', async () => {
    const image = await client().images.generate({ model: 'gpt-image-1', prompt: 'a harbour', size: '1024x1024', quality: 'low' });
    expect(decodePng(Buffer.from(image.data![0]!.b64_json!, 'base64'))).toEqual({ width: 1024, height: 1024 });
    const speech = await client().audio.speech.create({ model: 'tts', voice: 'alloy', input: 'Hello from Azure.', response_format: 'mp3' });
    expect((await speech.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const transcript = await client().audio.transcriptions.create({ model: 'whisper', file: await toFile(wav(1.25), 'a.wav', { type: 'audio/wav' }), response_format: 'verbose_json' });
    expect(transcript.duration).toBeCloseTo(1.25, 1);
    expect(azure.requests.at(-1)!.path).toBe('/openai/deployments/whisper/audio/transcriptions');
  });
});
