import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createHuggingFaceMediaAdapter, routerOrigin, type HuggingFaceMediaDependencies } from '../../layers/providers/huggingface/media/adapter.ts';
import { createProviderMappingSource } from '../../layers/providers/huggingface/media/provider-mapping.ts';
import { resolveHfRoute } from '../../layers/providers/huggingface/media/partners.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { callOptions, decodePng, fetchWithFault, norm, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'huggingface', apiKey: 'hf_mediatesttoken' , listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}, dependencies: Partial<HuggingFaceMediaDependencies> = {}) =>
  createHuggingFaceMediaAdapter({ baseURL: sim.url, apiKey: () => 'hf_mediatesttoken', fetch: link.fetch, ...transport }, { partnerOf: catalogPartner, falPollMs: 1, ...dependencies });
const last = () => sim.requests.at(-1)!;
const image = (model: string, size = '1024x1024', n = 1) => ({ model, prompt: 'a windmill', n, size, quality: 'standard' });

describe('Hugging Face partner routing', () => {
  it('reads the partner from the catalog, a :provider suffix, or defaults to hf-inference', () => {
    expect(catalogPartner('black-forest-labs/FLUX.1-schnell')).toEqual({ partner: 'fal-ai', providerModelId: 'fal-ai/flux/schnell' });
    expect(resolveHfRoute('Qwen/Qwen3-Embedding-8B', catalogPartner)).toEqual({ partner: 'deepinfra', providerModelId: 'Qwen/Qwen3-Embedding-8B' });
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

  it('embeds the catalog’s Qwen3 model on DeepInfra (a feature-extraction partner the SDK lists) through its OpenAI-shaped route', async () => {
    const result = await adapter().embed!({ model: 'Qwen/Qwen3-Embedding-8B', input: ['deepinfra route'], dimensions: 1024 }, callOptions());
    expect(last()).toMatchObject({ path: '/deepinfra/v1/openai/embeddings', body: { model: 'Qwen/Qwen3-Embedding-8B', input: 'deepinfra route', dimensions: 1024 } });
    expect(result.vectors[0]).toHaveLength(1024);
    expect(result.inputTokens).toBe(2);
  });

  it('generates the catalog’s FLUX through fal’s queue: submit, poll the status until completed, read the result, fetch the image', async () => {
    const before = sim.requests.length;
    const result = await adapter().generateImage!({ ...image('black-forest-labs/FLUX.1-schnell', '1024x768', 2), extra: { seed: 3 } }, callOptions());
    const calls = sim.requests.slice(before).filter((call) => call.path.startsWith('/fal-ai/'));
    expect(calls.filter((call) => call.method === 'POST').map((call) => `${call.path}${call.search}`)).toEqual([
      '/fal-ai/fal-ai/flux/schnell?_subdomain=queue',
      '/fal-ai/fal-ai/flux/schnell?_subdomain=queue',
    ]);
    expect(calls[0]!.body).toEqual({ prompt: 'a windmill', image_size: { width: 1024, height: 768 }, num_images: 1, seed: 3 });
    const gets = calls.filter((call) => call.method === 'GET').map((call) => call.path.replace(/requests\/[^/]+/, 'requests/{id}'));
    expect(gets.filter((path) => path.endsWith('/status'))).toHaveLength(4);
    expect(gets.filter((path) => path === '/fal-ai/fal-ai/flux/requests/{id}')).toHaveLength(2);
    expect(result.images.map((file) => decodePng(file.data))).toEqual([
      { width: 1024, height: 768 },
      { width: 1024, height: 768 },
    ]);
  });

  it('gives up on a fal job when the call’s deadline passes while it is queued', async () => {
    const deadline = new AbortController();
    const slow = adapter({}, { falPollMs: 60_000 }).generateImage!(image('black-forest-labs/FLUX.1-schnell'), { ...callOptions(), signal: deadline.signal });
    const settled = slow.then(() => 'served', (error: unknown) => error);
    await vi.waitFor(() => expect(sim.requests.some((call) => call.path === '/fal-ai/fal-ai/flux/schnell' && call.method === 'POST')).toBe(true));
    deadline.abort(new Error('deadline'));
    expect(await settled).toBeInstanceOf(Error);
  });

  it('asks the Hub for the partner’s current model id, as the SDK does, and refuses a partner the Hub no longer lists', async () => {
    const hubCalls: string[] = [];
    const spying: ProviderFetch = (input, init) => {
      if (String(input).includes('/api/models/')) hubCalls.push(String(input).replace(sim.origin, ''));
      return link.fetch(input, init);
    };
    await adapter({ fetch: spying }).generateImage!(image('black-forest-labs/FLUX.1-dev'), callOptions());
    expect(hubCalls).toEqual(['/api/models/black-forest-labs/FLUX.1-dev?expand[]=inferenceProviderMapping']);
    const renamed = createProviderMappingSource(async () => Response.json({ inferenceProviderMapping: [{ provider: 'fal-ai', providerId: 'fal-ai/flux/dev-v2', status: 'live', task: 'text-to-image' }] }));
    expect(await renamed.providerId(sim.origin, 'hf_x', 'black-forest-labs/FLUX.1-dev', 'fal-ai', 'fal-ai/flux/dev', callOptions())).toBe('fal-ai/flux/dev-v2');
    const dropped = await rejection(adapter({}, { mapping: createProviderMappingSource(async () => Response.json({ inferenceProviderMapping: {} })) }).embed!({ model: 'Qwen/Qwen3-Embedding-8B', input: ['x'] }, callOptions()));
    expect([dropped.status, dropped.code]).toEqual([502, 'provider_not_configured']);
    const hubDown = createProviderMappingSource(async () => new Response('down', { status: 503 }));
    expect(await hubDown.providerId(sim.origin, 'hf_x', 'black-forest-labs/FLUX.1-dev', 'fal-ai', 'fal-ai/flux/dev', callOptions())).toBe('fal-ai/flux/dev');
  });

  it('generates on hf-inference (image bytes) when the model names it', async () => {
    const hf = await adapter().generateImage!(image('stabilityai/stable-diffusion-xl-base-1.0', '768x768'), callOptions());
    expect(last()).toMatchObject({ path: '/hf-inference/models/stabilityai/stable-diffusion-xl-base-1.0', body: { inputs: 'a windmill', parameters: { width: 768, height: 768 } } });
    expect(decodePng(hf.images[0]!.data)).toEqual({ width: 768, height: 768 });
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
    await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).embed!({ model: 'BAAI/bge-small-en-v1.5', input: ['again'] }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
  });
});
