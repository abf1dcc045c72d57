/**
 * The Workers AI media adapter sends what the official `cloudflare` SDK (7.3) sends through `ai.run` for the same
 * model, compared on a loopback recorder in front of the simulator. Audio and image inputs are the one listed
 * difference (layers/providers/cloudflare/README.md): the adapter uploads the raw bytes, which every one of those
 * models takes, where the SDK's types carry them as a JSON array of numbers (four to five times larger).
 */
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechAudio } from '../../infra/local/simulators/media-fixtures/content.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createCloudflareMediaAdapter } from '../../layers/providers/cloudflare/media/adapter.ts';
import { callOptions, readAll } from '../support/media-providers.ts';
import { startWireRecorder, wireDiff, type CapturedRequest, type WireRecorder } from '../support/wire-recorder.ts';

const TOKEN = 'cf-wire-token';
let sim: OpenAICompatibleSimulator;
let rec: WireRecorder;
let account = '';

beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'cloudflare', apiKey: TOKEN });
  rec = await startWireRecorder(sim.origin);
  account = sim.transportOptions['accountId']!;
});
afterAll(() => Promise.all([rec?.close(), sim?.close()]));

const sdk = () => new Cloudflare({ apiToken: TOKEN, baseURL: `${rec.origin}/client/v4`, maxRetries: 0 });
const adapter = () => createCloudflareMediaAdapter({ baseURL: `${rec.origin}/client/v4`, apiKey: () => TOKEN, maxRetries: 0, options: { accountId: account } });

/**
 * The SDK percent-encodes the model's slashes (`@cf%2Fbaai%2F…`), the adapter writes them as Cloudflare's own
 * examples do; both name the same route (listed), so paths are compared decoded, and the raw forms once below.
 */
const decoded = (request: CapturedRequest): CapturedRequest => ({ ...request, path: decodeURIComponent(request.path) });

const compare = async (viaSdk: () => Promise<unknown>, viaAdapter: () => Promise<unknown>): Promise<string[]> => {
  const [a] = await rec.during(viaSdk);
  const [b] = await rec.during(viaAdapter);
  expect(a, 'the SDK made a request').toBeDefined();
  expect(b, 'the adapter made a request').toBeDefined();
  return wireDiff(decoded(a!), decoded(b!));
};

describe('Workers AI adapter vs cloudflare SDK (ai.run)', () => {
  it('names the model in the path: percent-encoded by the SDK, literal slashes from the adapter (listed)', async () => {
    const [a] = await rec.during(() => sdk().ai.run('@cf/baai/bge-base-en-v1.5', { account_id: account, text: ['x'] }));
    const [b] = await rec.during(() => adapter().embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['x'] }, callOptions()));
    expect([a!.path, b!.path]).toEqual([`/client/v4/accounts/${account}/ai/run/@cf%2Fbaai%2Fbge-base-en-v1.5`, `/client/v4/accounts/${account}/ai/run/@cf/baai/bge-base-en-v1.5`]);
  });

  it('embeddings (bge)', async () => {
    expect(await compare(
      () => sdk().ai.run('@cf/baai/bge-base-en-v1.5', { account_id: account, text: ['one', 'two'] }),
      () => adapter().embed!({ model: '@cf/baai/bge-base-en-v1.5', input: ['one', 'two'] }, callOptions()),
    )).toEqual([]);
  });

  it('FLUX.1 [schnell] and Stable Diffusion XL', async () => {
    expect(await compare(
      () => sdk().ai.run('@cf/black-forest-labs/flux-1-schnell', { account_id: account, prompt: 'a fox', steps: 4 } as never),
      () => adapter().generateImage!({ model: '@cf/black-forest-labs/flux-1-schnell', prompt: 'a fox', n: 1, size: '1024x1024', quality: 'standard', extra: { steps: 4 } }, callOptions()),
    )).toEqual([]);
    expect(await compare(
      () => sdk().ai.run('@cf/stabilityai/stable-diffusion-xl-base-1.0', { account_id: account, prompt: 'a harbour', width: 768, height: 512 }).asResponse().then((response) => response.arrayBuffer()),
      () => adapter().generateImage!({ model: '@cf/stabilityai/stable-diffusion-xl-base-1.0', prompt: 'a harbour', n: 1, size: '768x512', quality: 'standard' }, callOptions()),
    )).toEqual([]);
  });

  it('MeloTTS and Aura', async () => {
    expect(await compare(
      () => sdk().ai.run('@cf/myshell-ai/melotts', { account_id: account, prompt: 'Hello.', lang: 'en' }),
      async () => readAll((await adapter().speak!({ model: '@cf/myshell-ai/melotts', voice: 'en', input: 'Hello.', format: 'mp3' }, callOptions())).audio),
    )).toEqual([]);
    expect(await compare(
      () => sdk().ai.run('@cf/deepgram/aura-1', { account_id: account, text: 'Hello.', speaker: 'luna', encoding: 'mp3' } as never).asResponse().then((response) => response.arrayBuffer()),
      async () => readAll((await adapter().speak!({ model: '@cf/deepgram/aura-1', voice: 'luna', input: 'Hello.', format: 'mp3' }, callOptions())).audio),
    )).toEqual([]);
  });

  it('Whisper large-v3-turbo (base64 audio in JSON)', async () => {
    const audio = speechAudio('wav', 1);
    expect(await compare(
      () => sdk().ai.run('@cf/openai/whisper-large-v3-turbo', { account_id: account, audio: Buffer.from(audio).toString('base64'), task: 'transcribe', language: 'en' } as never),
      () => adapter().transcribe!({ model: '@cf/openai/whisper-large-v3-turbo', file: { data: audio, mediaType: 'audio/wav', filename: 'a.wav' }, language: 'en' }, callOptions()),
    )).toEqual([]);
  });

  it('Whisper, Nova-3 and ResNet-50: the same route and auth; the adapter uploads raw bytes (listed)', async () => {
    const audio = speechAudio('wav', 0.5);
    const whisper = await compare(
      () => sdk().ai.run('@cf/openai/whisper', { account_id: account, audio: Array.from(audio) }),
      () => adapter().transcribe!({ model: '@cf/openai/whisper', file: { data: audio, mediaType: 'audio/wav', filename: 'a.wav' } }, callOptions()),
    );
    expect(whisper.map((line) => line.split(':')[0])).toEqual(['header.content-type', 'body.audio', 'body.bytes']);
  });
});
