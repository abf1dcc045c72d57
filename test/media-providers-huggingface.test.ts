import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../infra/local/simulators/openai-compatible/server.ts';
import { createHuggingFaceMediaAdapter, routerOrigin } from '../layers/providers/huggingface/media/adapter.ts';
import { catalogPartner, resolveHfRoute } from '../layers/providers/huggingface/media/partners.ts';
import type { ProviderTransport } from '../layers/providers/types.ts';
import type { InvalidRequestError } from '../shared/errors.ts';
import { callOptions, decodePng, fetchWithFault, norm, rejection } from './media-providers-support.ts';

let sim: OpenAICompatibleSimulator;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'huggingface', apiKey: 'hf_mediatesttoken' });
});
afterAll(() => sim.close());

const adapter = (transport: Partial<ProviderTransport> = {}) => createHuggingFaceMediaAdapter({ baseURL: sim.url, apiKey: () => 'hf_mediatesttoken', ...transport });
const last = () => sim.requests.at(-1)!;
const image = (model: string, size = '1024x1024', n = 1) => ({ model, prompt: 'a windmill', n, size, quality: 'standard' });

describe('Hugging Face partner routing', () => {
  it('reads the partner from the catalog, a :provider suffix, or defaults to hf-inference', () => {
    expect(catalogPartner('black-forest-labs/FLUX.1-schnell')).toEqual({ partner: 'fal-ai', providerModelId: 'fal-ai/flux/schnell' });
    expect(resolveHfRoute('Qwen/Qwen3-Embedding-8B', catalogPartner)).toEqual({ partner: 'nebius', providerModelId: 'Qwen/Qwen3-Embedding-8B' });
    expect(resolveHfRoute('black-forest-labs/FLUX.1-schnell:hf-inference', catalogPartner)).toEqual({ partner: 'hf-inference', providerModelId: 'black-forest-labs/FLUX.1-schnell' });
    expect(resolveHfRoute('black-forest-labs/FLUX.1-schnell:fal-ai', catalogPartner)).toEqual({ partner: 'fal-ai', providerModelId: 'fal-ai/flux/schnell' });
    expect(resolveHfRoute('sentence-transformers/all-MiniLM-L6-v2:fastest', catalogPartner)).toEqual({ partner: 'hf-inference', providerModelId: 'sentence-transformers/all-MiniLM-L6-v2' });
    expect(routerOrigin('https://router.huggingface.co/v1')).toBe('https://router.huggingface.co');
  });
});

describe('Hugging Face media adapter', () => {
  it('extracts features on hf-inference, one vector per input', async () => {
    const result = await adapter().embed!({ model: 'sentence-transformers/all-MiniLM-L6-v2', input: ['one', 'two words'] }, callOptions());
    expect(last()).toMatchObject({ path: '/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction', body: { inputs: ['one', 'two words'], normalize: true } });
    expect(last().headers['authorization']).toBe('Bearer hf_mediatesttoken');
    expect(result.vectors.map((vector) => vector.length)).toEqual([384, 384]);
    expect(norm(result.vectors[0]!)).toBeCloseTo(1, 3);
    expect(result.inputTokens).toBe(1 + 3);
  });

  it('mean-pools token-level features', async () => {
    const result = await adapter().embed!({ model: 'google-bert/bert-base-uncased', input: ['three word sentence'] }, callOptions());
    expect(result.vectors).toHaveLength(1);
    expect(result.vectors[0]).toHaveLength(768);
  });

  it('embeds the catalog’s Nebius model through the router’s OpenAI-shaped route, with reported usage', async () => {
    const result = await adapter().embed!({ model: 'Qwen/Qwen3-Embedding-8B', input: ['nebius route'], dimensions: 1024 }, callOptions());
    expect(last()).toMatchObject({ path: '/nebius/v1/embeddings', body: { model: 'Qwen/Qwen3-Embedding-8B', input: 'nebius route', dimensions: 1024 } });
    expect(result.vectors[0]).toHaveLength(1024);
    expect(result.inputTokens).toBe(2);
  });

  it('generates the catalog’s FLUX through fal (data URLs with sync_mode), one call per image', async () => {
    const before = sim.requests.length;
    const result = await adapter().generateImage!({ ...image('black-forest-labs/FLUX.1-schnell', '1024x768', 2), extra: { seed: 3 } }, callOptions());
    const calls = sim.requests.slice(before);
    expect(calls.map((call) => call.path)).toEqual(['/fal-ai/fal-ai/flux/schnell', '/fal-ai/fal-ai/flux/schnell']);
    expect(calls[0]!.body).toEqual({ prompt: 'a windmill', image_size: { width: 1024, height: 768 }, num_images: 1, sync_mode: true, seed: 3 });
    expect(result.images.map((file) => decodePng(file.data))).toEqual([
      { width: 1024, height: 768 },
      { width: 1024, height: 768 },
    ]);
  });

  it('generates on hf-inference (image bytes) and Nebius (base64) when the model names them', async () => {
    const hf = await adapter().generateImage!(image('stabilityai/stable-diffusion-xl-base-1.0', '768x768'), callOptions());
    expect(last()).toMatchObject({ path: '/hf-inference/models/stabilityai/stable-diffusion-xl-base-1.0', body: { inputs: 'a windmill', parameters: { width: 768, height: 768 } } });
    expect(decodePng(hf.images[0]!.data)).toEqual({ width: 768, height: 768 });
    const nebius = await adapter().generateImage!(image('black-forest-labs/flux-schnell:nebius', '512x512'), callOptions());
    expect(last()).toMatchObject({ path: '/nebius/v1/images/generations', body: { model: 'black-forest-labs/flux-schnell', response_format: 'b64_json', width: 512, height: 512 } });
    expect(decodePng(nebius.images[0]!.data)).toEqual({ width: 512, height: 512 });
  });

  it('refuses what a partner route cannot do before calling it', async () => {
    const dims = await rejection<InvalidRequestError>(adapter().embed!({ model: 'BAAI/bge-small-en-v1.5', input: ['x'], dimensions: 64 }, callOptions()));
    expect(dims.code).toBe('unsupported_operation');
    const partner = await rejection<InvalidRequestError>(adapter().generateImage!(image('some/model:replicate'), callOptions()));
    expect([partner.status, partner.code]).toEqual([400, 'unsupported_operation']);
  });

  it('maps router errors ({error}) and retries a 503', async () => {
    const missing = await rejection(adapter().embed!({ model: 'nobody/nothing', input: ['x'] }, callOptions()));
    expect([missing.status, missing.code]).toEqual([502, 'upstream_unavailable']);
    const auth = await rejection(adapter({ apiKey: () => 'hf_wrongwrongwrong' }).embed!({ model: 'BAAI/bge-small-en-v1.5', input: ['x'] }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const bad = await rejection(adapter().generateImage!(image('stabilityai/stable-diffusion-xl-base-1.0', '4096x4096'), callOptions()));
    expect([bad.status, bad.code, bad.message]).toEqual([400, 'upstream_bad_request', 'width must be an integer between 64 and 2048']);
    const retries: string[] = [];
    await adapter({ fetch: fetchWithFault('503-once') }).embed!({ model: 'BAAI/bge-small-en-v1.5', input: ['again'] }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
