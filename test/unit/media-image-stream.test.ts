/**
 * Streamed images in the OpenAI and Azure OpenAI media adapters, against their simulators over in-memory HTTP
 * (support/in-memory-http.ts): what asks the provider to stream, the canonical events that come back (real PNG bytes), the fallback for
 * models that cannot stream, and how a broken stream becomes a typed upstream error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { createAzureMediaAdapter } from '../../layers/providers/azure/media/adapter.ts';
import type { ImageRequest, ImageStreamEvent } from '../../layers/providers/media-types.ts';
import { createOpenAIMediaAdapter } from '../../layers/providers/openai/media/adapter.ts';
import type { UpstreamError } from '../../layers/core/errors.ts';
import { imageEvents } from '../../shared/media/images/events.ts';
import { callOptions, decodePng, fetchWithFault } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let openai: OpenAICompatibleSimulator;
let azure: OpenAICompatibleSimulator;
let openaiLink: InMemoryHttp;
let azureLink: InMemoryHttp;
beforeAll(async () => {
  openai = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: 'sk-stream', listen: false });
  azure = await startOpenAICompatibleSimulator({ flavor: 'azure', apiKey: 'azure-stream', listen: false });
  openaiLink = inMemoryHttp(openai);
  azureLink = inMemoryHttp(azure);
});
afterAll(async () => {
  openaiLink?.close();
  azureLink?.close();
  await openai?.close();
  await azure?.close();
});

const openaiAdapter = (fault?: string) =>
  createOpenAIMediaAdapter({ baseURL: openai.url, apiKey: () => 'sk-stream', fetch: fault ? fetchWithFault(fault, openaiLink.fetch) : openaiLink.fetch });
const request = (overrides: Partial<ImageRequest> = {}): ImageRequest => ({ model: 'gpt-image-1', prompt: 'a kite', n: 1, size: '1024x1024', quality: 'low', partialImages: 2, ...overrides });

const collect = async (events: AsyncIterable<ImageStreamEvent>): Promise<{ events: ImageStreamEvent[]; error?: UpstreamError }> => {
  const seen: ImageStreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error: error as UpstreamError };
  }
};

describe('OpenAI image streams', () => {
  it('asks for a stream with the partial image count, and yields real partial PNGs then the finished image with its usage', async () => {
    const { events, error } = await collect(await openaiAdapter().streamImageGeneration!(request({ n: 2 }), callOptions()));
    expect(error).toBeUndefined();
    expect(openai.requests.at(-1)!.body).toEqual({ model: 'gpt-image-1', prompt: 'a kite', n: 2, size: '1024x1024', quality: 'low', stream: true, partial_images: 2 });
    expect(events.map((e) => (e.type === 'partial' ? `partial ${e.index}` : e.type))).toEqual(['partial 0', 'partial 1', 'completed', 'partial 0', 'partial 1', 'completed']);
    for (const event of events) {
      expect(event.image.mediaType).toBe('image/png');
      expect(decodePng(event.image.data)).toEqual({ width: 1024, height: 1024 });
      expect(event.details).toEqual({ size: '1024x1024', quality: 'low', background: 'opaque', outputFormat: 'png' });
    }
    expect(events[2]).toMatchObject({ usage: { inputTokens: 2, outputTokens: 472, totalTokens: 474, textTokens: 2, imageTokens: 0 } });
  });

  it('streams edits over multipart with the stream fields as form fields', async () => {
    const source = (await openaiAdapter().generateImage!(request({ partialImages: undefined }), callOptions())).images[0]!;
    const { events } = await collect(await openaiAdapter().streamImageEdit!(request({ partialImages: 1, images: [{ ...source, filename: 'a.png' }] }), callOptions()));
    expect(openai.requests.at(-1)!.body).toMatchObject({ stream: 'true', partial_images: '1', files: [{ name: 'image', filename: 'a.png' }] });
    expect(events.map((e) => e.type)).toEqual(['partial', 'completed']);
  });

  it('serves DALL·E, which OpenAI does not stream, as its finished image with no partials', async () => {
    const { events } = await collect(await openaiAdapter().streamImageGeneration!(request({ model: 'dall-e-3', quality: 'standard' }), callOptions()));
    expect(openai.requests.at(-1)!.body).not.toHaveProperty('stream');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'completed', revisedPrompt: 'A picture of: a kite' });
  });

  it.each([
    ['midstream-error', 'upstream_unavailable', 'The image stream failed.'],
    ['malformed', 'upstream_malformed_chunk', 'The provider sent a malformed image stream event.'],
    ['truncate', 'upstream_truncated', 'The provider ended the image stream before finishing an image.'],
  ])('turns a stream broken by %s into a typed error after the events it did send', async (fault, code, message) => {
    const { events, error } = await collect(await openaiAdapter(fault).streamImageGeneration!(request(), callOptions()));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.type === 'partial')).toBe(true);
    expect({ status: error?.status, code: error?.code, message: error?.message }).toEqual({ status: 502, code, message });
  });

  it('refuses before any event as the unstreamed call does (a rejected promise, not a broken stream)', async () => {
    await expect(openaiAdapter('400').streamImageGeneration!(request(), callOptions())).rejects.toMatchObject({ status: 400, code: 'upstream_bad_request' });
  });
});

describe('Azure OpenAI image streams', () => {
  it('streams GPT Image on the deployment path, as OpenAI does', async () => {
    const adapter = createAzureMediaAdapter({ baseURL: azure.url, apiKey: () => 'azure-stream', options: azure.transportOptions, fetch: azureLink.fetch });
    const { events } = await collect(await adapter.streamImageGeneration!(request({ partialImages: 1 }), callOptions()));
    expect(azure.requests.at(-1)!.path).toBe('/openai/deployments/gpt-image-1/images/generations');
    expect(azure.requests.at(-1)!.body).toMatchObject({ stream: true, partial_images: 1 });
    expect(events.map((e) => e.type)).toEqual(['partial', 'completed']);
    expect(decodePng(events[1]!.image.data)).toEqual({ width: 1024, height: 1024 });
  });
});

describe('imageEvents, for any adapter', () => {
  it('serves an adapter without image streams as its finished images', async () => {
    const { generateImage } = openaiAdapter();
    const events = await collect(await imageEvents({ provider: 'openai', generateImage }, 'image-generation', request({ n: 2 }), callOptions()));
    expect(events.events.map((e) => e.type)).toEqual(['completed', 'completed']);
  });

  it('says a provider that does not serve the operation is not configured', async () => {
    await expect(imageEvents({ provider: 'openai' }, 'image-edit', request(), callOptions())).rejects.toMatchObject({ status: 503, code: 'provider_not_configured' });
  });
});
