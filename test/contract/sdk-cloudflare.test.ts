/**
 * The official `cloudflare` SDK (7.3, pinned) drives the Workers AI simulator through `ai.run` for every model
 * kind the gateway calls: embeddings (bge), FLUX (base64 JSON), Stable Diffusion (raw PNG), MeloTTS (base64
 * MP3), Aura (raw audio), Whisper (the SDK's JSON byte array), Whisper large-v3-turbo (base64 JSON), Nova-3 and
 * ResNet-50. The chat route is Workers AI's OpenAI-compatible endpoint, which the SDK does not wrap: the
 * `openai` SDK drives it (see sdk-openai-compatible.test.ts). `baseURL` points the client at the simulator.
 */
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { audioSeconds, decodePng } from '../support/media-providers.ts';

const TOKEN = 'cf-sdk-token';
let sim: OpenAICompatibleSimulator;
let client: Cloudflare;
let account = '';

beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'cloudflare', apiKey: TOKEN });
  account = sim.transportOptions['accountId']!;
  client = new Cloudflare({ apiToken: TOKEN, baseURL: sim.url, maxRetries: 0 });
});
afterAll(() => sim?.close());

/** `ai.run` answers `result` for JSON models and the raw `Response` for binary ones. */
const bytesOf = async (value: unknown): Promise<Uint8Array> => new Uint8Array(await (value as Response).arrayBuffer());

describe('cloudflare SDK (ai.run) against the Workers AI simulator', () => {
  it('embeddings: bge vectors in the v4 envelope, unwrapped by the SDK', async () => {
    const result = (await client.ai.run('@cf/baai/bge-base-en-v1.5', { account_id: account, text: ['one', 'two'] })) as { shape: number[]; data: number[][] };
    expect(result.shape).toEqual([2, 768]);
    expect(result.data[0]).toHaveLength(768);
  });

  // FLUX takes `steps`, which the SDK's params union lacks: cast.
  it('FLUX.1 [schnell]: a base64 image in the envelope', async () => {
    const result = (await client.ai.run('@cf/black-forest-labs/flux-1-schnell', { account_id: account, prompt: 'a fox', steps: 4 } as never)) as { image: string };
    expect(decodePng(Buffer.from(result.image, 'base64'))).toEqual({ width: 1024, height: 1024 });
  });

  it('Stable Diffusion XL: raw PNG bytes', async () => {
    const result = await client.ai.run('@cf/stabilityai/stable-diffusion-xl-base-1.0', { account_id: account, prompt: 'a harbour', width: 768, height: 512 }).asResponse();
    expect(decodePng(await bytesOf(result))).toEqual({ width: 768, height: 512 });
  });

  it('MeloTTS (base64 MP3 in the envelope) and Aura (raw audio)', async () => {
    const melo = (await client.ai.run('@cf/myshell-ai/melotts', { account_id: account, prompt: 'Hello from Melo.', lang: 'en' })) as { audio: string };
    expect(audioSeconds(Buffer.from(melo.audio, 'base64'))).toBeGreaterThan(0.5);
    const aura = await client.ai.run('@cf/deepgram/aura-1', { account_id: account, text: 'Hello from Aura.', speaker: 'luna', encoding: 'mp3' } as never).asResponse();
    expect(audioSeconds(await bytesOf(aura))).toBeGreaterThan(0.5);
  });

  it('Whisper (the SDK’s byte-array form) and Whisper large-v3-turbo (base64): transcripts with words and segments', async () => {
    const audio = speechAudio('wav', 2);
    const whisper = (await client.ai.run('@cf/openai/whisper', { account_id: account, audio: Array.from(audio) })) as { text: string; word_count?: number; words?: unknown[] };
    expect(whisper.text).toContain('2 seconds');
    expect(whisper.words!.length).toBeGreaterThan(0);
    const turbo = (await client.ai.run('@cf/openai/whisper-large-v3-turbo', { account_id: account, audio: Buffer.from(audio).toString('base64') } as never)) as { text: string; transcription_info: { duration: number }; segments: unknown[] };
    expect(turbo.transcription_info.duration).toBeCloseTo(2, 1);
    expect(turbo.segments.length).toBeGreaterThan(0);
  });

  it('Nova-3 and ResNet-50 take raw bytes: the SDK sends them through its request body option', async () => {
    const audio = speechAudio('wav', 1.5);
    const nova = (await client.ai.run('@cf/deepgram/nova-3', { account_id: account } as never, { body: audio, headers: { 'content-type': 'audio/wav' } } as never)) as { results: { channels: { alternatives: { transcript: string }[] }[] } };
    expect(nova.results.channels[0]!.alternatives[0]!.transcript).toContain('1.5 seconds');
    const png = Buffer.from(((await client.ai.run('@cf/black-forest-labs/flux-1-schnell', { account_id: account, prompt: 'a teapot' })) as { image: string }).image, 'base64');
    const labels = (await client.ai.run('@cf/microsoft/resnet-50', { account_id: account, image: Array.from(png) } as never)) as { label: string; score: number }[];
    expect(labels[0]).toMatchObject({ label: expect.any(String), score: expect.any(Number) });
  });
});
