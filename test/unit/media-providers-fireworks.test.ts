import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createFireworksMediaAdapter } from '../../layers/providers/fireworks/media/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { callOptions, decodePng, fetchWithFault, norm, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'fireworks', apiKey: 'fw-media-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const FAST_POLL = { intervalMs: 5, timeoutMs: 10_000 };
const adapter = (transport: Partial<ProviderTransport> = {}) => createFireworksMediaAdapter({ baseURL: sim.url, apiKey: () => 'fw-media-key', fetch: link.fetch, ...transport }, { poll: FAST_POLL });
const requestsSince = (count: number) => sim.requests.slice(count);

describe('Fireworks media adapter', () => {
  it('generates FLUX images through text_to_image, one call per image, asking for PNG bytes', async () => {
    const before = sim.requests.length;
    const result = await adapter().generateImage!(
      { model: 'accounts/fireworks/models/flux-1-schnell-fp8', prompt: 'a paper boat', n: 2, size: '1024x1024', quality: 'standard', extra: { seed: 7 } },
      callOptions(),
    );
    const calls = requestsSince(before);
    expect(calls.map((call) => call.path)).toEqual([
      '/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image',
      '/inference/v1/workflows/accounts/fireworks/models/flux-1-schnell-fp8/text_to_image',
    ]);
    expect(calls.map((call) => call.body)).toEqual([
      { prompt: 'a paper boat', aspect_ratio: '1:1', seed: 7 },
      { prompt: 'a paper boat', aspect_ratio: '1:1', seed: 8 },
    ]);
    expect(calls[0]!.headers['accept']).toBe('image/png');
    expect(result.images.map((image) => decodePng(image.data))).toEqual([
      { width: 1024, height: 1024 },
      { width: 1024, height: 1024 },
    ]);
    expect(Buffer.from(result.images[0]!.data).equals(Buffer.from(result.images[1]!.data))).toBe(false);
  });

  it('picks the nearest FLUX aspect ratio for a size', async () => {
    const before = sim.requests.length;
    await adapter().generateImage!({ model: 'accounts/fireworks/models/flux-1-dev-fp8', prompt: 'wide', n: 1, size: '1792x1024', quality: 'standard' }, callOptions());
    expect(requestsSince(before)[0]!.body).toEqual({ prompt: 'wide', aspect_ratio: '16:9' });
  });

  it('generates with FLUX Kontext by submitting, polling get_result, and downloading the sample', async () => {
    const before = sim.requests.length;
    const result = await adapter().generateImage!({ model: 'accounts/fireworks/models/flux-kontext-pro', prompt: 'a teapot', n: 1, size: '1024x1024', quality: 'standard' }, callOptions());
    const calls = requestsSince(before);
    expect(calls[0]).toMatchObject({ path: '/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro', body: { prompt: 'a teapot', aspect_ratio: '1:1', output_format: 'png' } });
    expect(calls.slice(1).map((call) => call.path)).toEqual([
      '/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro/get_result',
      '/inference/v1/workflows/accounts/fireworks/models/flux-kontext-pro/get_result',
    ]);
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1024 });
  });

  it('edits one image with FLUX Kontext, sent as a data URL', async () => {
    const source = (await adapter().generateImage!({ model: 'accounts/fireworks/models/flux-1-schnell-fp8', prompt: 'source', n: 1, size: '1536x1024', quality: 'standard' }, callOptions())).images[0]!;
    const before = sim.requests.length;
    const result = await adapter().editImage!(
      { model: 'accounts/fireworks/models/flux-kontext-max', prompt: 'make it night', n: 1, size: '1024x1024', quality: 'standard', images: [source] },
      callOptions(),
    );
    const submitted = requestsSince(before)[0]!.body as Record<string, string>;
    expect(submitted['input_image']).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    expect(submitted['aspect_ratio']).toBeUndefined();
    // The edit keeps the source's dimensions.
    expect(decodePng(result.images[0]!.data)).toEqual(decodePng(source.data));
  });

  it('refuses edits the models cannot do before calling Fireworks', async () => {
    const image = { data: new Uint8Array([0x89, 0x50]), mediaType: 'image/png' };
    const schnell = await rejection<InvalidRequestError>(
      adapter().editImage!({ model: 'accounts/fireworks/models/flux-1-schnell-fp8', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard', images: [image] }, callOptions()),
    );
    expect([schnell.status, schnell.code]).toEqual([400, 'unsupported_operation']);
    const masked = await rejection<InvalidRequestError>(
      adapter().editImage!({ model: 'accounts/fireworks/models/flux-kontext-pro', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard', images: [image], mask: image }, callOptions()),
    );
    expect(masked.code).toBe('unsupported_operation');
  });

  it('reports a moderated Kontext request as a content-filter refusal', async () => {
    const error = await rejection(adapter().generateImage!({ model: 'accounts/fireworks/models/flux-kontext-pro', prompt: 'SIM_BLOCK_PROMPT', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([error.status, error.code]).toEqual([400, 'content_filter']);
  });

  it('embeds with OpenAI’s wire format under /inference/v1', async () => {
    const result = await adapter().embed!({ model: 'nomic-ai/nomic-embed-text-v1.5', input: ['search_query: fireworks', 'another'], dimensions: 256 }, callOptions());
    expect(sim.requests.at(-1)).toMatchObject({ path: '/inference/v1/embeddings', body: { model: 'nomic-ai/nomic-embed-text-v1.5', dimensions: 256 } });
    expect(result.vectors.map((vector) => vector.length)).toEqual([256, 256]);
    expect(norm(result.vectors[1]!)).toBeCloseTo(1, 3);
    expect(result.inputTokens).toBe(3);
  });

  it('maps Fireworks errors: unknown model, bad key, and a 503 retried', async () => {
    const missing = await rejection(adapter().generateImage!({ model: 'accounts/fireworks/models/flux-9', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([missing.status, missing.code]).toEqual([502, 'upstream_unavailable']);
    const auth = await rejection(adapter({ apiKey: () => 'fw_wrongwrongwrong' }).embed!({ model: 'nomic-ai/nomic-embed-text-v1.5', input: ['x'] }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const retried: string[] = [];
    const ok = await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).generateImage!(
      { model: 'accounts/fireworks/models/flux-1-schnell-fp8', prompt: 'retry', n: 1, size: '1024x1024', quality: 'standard' },
      { ...callOptions(), onRetry: (info) => retried.push(info.reason) },
    );
    expect(retried).toEqual(['status 503']);
    expect(ok.images).toHaveLength(1);
  });
});
