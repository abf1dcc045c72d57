import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createAlibabaMediaAdapter, dashscopeOrigin } from '../../layers/providers/alibaba/media/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import type { InvalidRequestError } from '../../layers/core/errors.ts';
import { mp4Seconds } from '../../layers/core/media/formats/containers.ts';
import { callOptions, decodePng, fetchWithFault, norm, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: OpenAICompatibleSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'alibaba', apiKey: 'sk-dashscope-media', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createAlibabaMediaAdapter({ baseURL: sim.url, apiKey: () => 'sk-dashscope-media', fetch: link.fetch, ...transport }, { poll: { intervalMs: 5, timeoutMs: 10_000 } });
const since = (count: number) => sim.requests.slice(count);

describe('DashScope media adapter', () => {
  it('finds the native API on the compatible-mode host', () => {
    expect(dashscopeOrigin('https://dashscope-intl.aliyuncs.com/compatible-mode/v1')).toBe('https://dashscope-intl.aliyuncs.com');
    expect(dashscopeOrigin('http://127.0.0.1:9/compatible-mode/v1/')).toBe('http://127.0.0.1:9');
  });

  it('embeds through the compatible mode, ten inputs a call, usage summed', async () => {
    const before = sim.requests.length;
    const input = Array.from({ length: 12 }, (_, index) => `sentence number ${index}`);
    const result = await adapter().embed!({ model: 'text-embedding-v3', input, dimensions: 512 }, callOptions());
    const calls = since(before);
    expect(calls.map((call) => call.path)).toEqual(['/compatible-mode/v1/embeddings', '/compatible-mode/v1/embeddings']);
    expect(calls.map((call) => ((call.body as { input: string[] }).input).length)).toEqual([10, 2]);
    expect(result.vectors).toHaveLength(12);
    expect(result.vectors[11]).toHaveLength(512);
    expect(norm(result.vectors[0]!)).toBeCloseTo(1, 3);
    expect(result.inputTokens).toBe(36);
  });

  it('generates Wan images as an async task: created with X-DashScope-Async, polled, results downloaded', async () => {
    const before = sim.requests.length;
    const result = await adapter().generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'a lantern festival', n: 2, size: '1280x720', quality: 'standard', extra: { seed: 42 } }, callOptions());
    const calls = since(before);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: '/api/v1/services/aigc/text2image/image-synthesis',
      body: { model: 'wan2.1-t2i-turbo', input: { prompt: 'a lantern festival' }, parameters: { n: 2, size: '1280*720', seed: 42, watermark: false } },
    });
    expect(calls[0]!.headers['x-dashscope-async']).toBe('enable');
    expect(calls.slice(1).map((call) => call.method)).toEqual(['GET', 'GET']);
    expect(calls[1]!.path).toMatch(/^\/api\/v1\/tasks\/[0-9a-f-]{36}$/);
    expect(result.images.map((image) => decodePng(image.data))).toEqual([
      { width: 1280, height: 720 },
      { width: 1280, height: 720 },
    ]);
  });

  it('edits with wanx2.1-imageedit, the image and mask sent as data URLs', async () => {
    const source = (await adapter().generateImage!({ model: 'wan2.1-t2i-plus', prompt: 'a cat', n: 1, size: '768x1024', quality: 'standard' }, callOptions())).images[0]!;
    const before = sim.requests.length;
    const result = await adapter().editImage!({ model: 'wanx2.1-imageedit', prompt: 'give the cat a hat', n: 1, size: '1024x1024', quality: 'standard', images: [source], mask: source }, callOptions());
    const created = since(before)[0]!.body as { input: Record<string, string> };
    expect(created.input['function']).toBe('description_edit_with_mask');
    expect(created.input['base_image_url']).toMatch(/^data:image\/png;base64,/);
    expect(created.input['mask_image_url']).toMatch(/^data:image\/png;base64,/);
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 768, height: 1024 });
  });

  it('refuses sizes Wan cannot render before creating a task', async () => {
    const error = await rejection<InvalidRequestError>(adapter().generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'x', n: 1, size: '2048x2048', quality: 'standard' }, callOptions()));
    expect([error.status, error.code]).toEqual([400, 'invalid_size']);
  });

  it('turns a task that failed inspection into a content-filter refusal', async () => {
    const error = await rejection(adapter().generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'SIM_BLOCK_PROMPT', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([error.status, error.code]).toEqual([400, 'content_filter']);
  });

  it('maps DashScope errors on both APIs and retries a 503', async () => {
    const nativeAuth = await rejection(adapter({ apiKey: () => 'sk-wrong' }).generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([nativeAuth.status, nativeAuth.code]).toEqual([502, 'upstream_auth_failed']);
    const compatibleAuth = await rejection(adapter({ apiKey: () => 'sk-wrong' }).embed!({ model: 'text-embedding-v3', input: ['x'] }, callOptions()));
    expect([compatibleAuth.status, compatibleAuth.code]).toEqual([502, 'upstream_auth_failed']);
    const unknown = await rejection(adapter().generateImage!({ model: 'dall-e-3', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([unknown.status, unknown.code, unknown.message]).toEqual([400, 'upstream_bad_request', 'Model not exist.']);
    const filtered = await rejection(adapter({ fetch: fetchWithFault('content-filter', link.fetch) }).generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([filtered.status, filtered.code]).toEqual([400, 'content_filter']);
    const retries: string[] = [];
    const ok = await adapter({ fetch: fetchWithFault('503-once', link.fetch) }).embed!({ model: 'text-embedding-v4', input: ['x'] }, { ...callOptions(), onRetry: (info) => retries.push(info.reason) });
    expect(retries).toEqual(['status 503']);
    expect(ok.vectors).toHaveLength(1);
  });
});

describe('DashScope Wan video jobs', () => {
  it('creates a text-to-video task, reports it running, then completed with a downloadable MP4', async () => {
    const { operationId } = await adapter().submitVideo!({ model: 'wan2.1-t2v-turbo', prompt: 'a paper plane', durationSeconds: 5, resolution: '720p', aspectRatio: '9:16' }, callOptions());
    expect(sim.requests.at(-1)).toMatchObject({
      path: '/api/v1/services/aigc/video-generation/video-synthesis',
      body: { model: 'wan2.1-t2v-turbo', input: { prompt: 'a paper plane' }, parameters: { size: '720*1280', duration: 5, prompt_extend: false } },
    });
    expect(await adapter().pollVideo!(operationId, callOptions())).toEqual({ status: 'in_progress' });
    const done = await adapter().pollVideo!(operationId, callOptions());
    if (done.status !== 'completed') throw new Error(done.status);
    expect(done.headers).toBeUndefined();
    const bytes = new Uint8Array(await (await link.fetch(done.videoUrl)).arrayBuffer());
    expect(Buffer.from(bytes).toString('latin1', 4, 8)).toBe('ftyp');
    expect(mp4Seconds(bytes)).toBeCloseTo(5, 0);
  });

  it('animates a first frame with image-to-video, and needs one', async () => {
    const frame = (await adapter().generateImage!({ model: 'wan2.1-t2i-turbo', prompt: 'a frame', n: 1, size: '1024x1024', quality: 'standard' }, callOptions())).images[0]!;
    const { operationId } = await adapter().submitVideo!({ model: 'wan2.1-i2v-turbo', prompt: 'it moves', durationSeconds: 4, resolution: '480p', image: frame }, callOptions());
    const body = sim.requests.at(-1)!.body as { input: Record<string, string>; parameters: Record<string, unknown> };
    expect(body.input['img_url']).toMatch(/^data:image\/png;base64,/);
    expect(body.parameters).toEqual({ resolution: '480P', duration: 4, prompt_extend: false });
    await adapter().pollVideo!(operationId, callOptions());
    expect((await adapter().pollVideo!(operationId, callOptions())).status).toBe('completed');
    const missing = await rejection<InvalidRequestError>(adapter().submitVideo!({ model: 'wan2.1-i2v-turbo', prompt: 'x', durationSeconds: 5, resolution: '720p' }, callOptions()));
    expect(missing.code).toBe('unsupported_operation');
  });

  it('reports a task that failed inspection as a filtered job, and a bad duration as the provider’s 400', async () => {
    const { operationId } = await adapter().submitVideo!({ model: 'wan2.1-t2v-plus', prompt: 'SIM_BLOCK_PROMPT', durationSeconds: 5, resolution: '720p', aspectRatio: '16:9' }, callOptions());
    await adapter().pollVideo!(operationId, callOptions());
    expect(await adapter().pollVideo!(operationId, callOptions())).toMatchObject({ status: 'failed', error: { code: 'content_filter' } });
    const duration = await rejection(adapter().submitVideo!({ model: 'wan2.1-t2v-plus', prompt: 'x', durationSeconds: 10, resolution: '720p' }, callOptions()));
    expect([duration.status, duration.code]).toEqual([400, 'upstream_bad_request']);
  });
});
