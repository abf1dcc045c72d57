import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeminiSimulator, type GeminiSimulator } from '../../infra/local/simulators/gemini/server.ts';
import { startVertexSimulator, type VertexSimulator } from '../../infra/local/simulators/vertex/server.ts';
import { createGeminiMediaAdapter } from '../../layers/providers/gemini/media/adapter.ts';
import { createVertexMediaAdapter } from '../../layers/providers/vertex/media/adapter.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import { InvalidRequestError, UpstreamError } from '../../layers/core/errors.ts';
import { callOptions, decodePng, fetchWithFault, norm, rejection } from '../support/media-providers.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let gemini: GeminiSimulator;
let vertex: VertexSimulator;
let geminiLink: InMemoryHttp;
let vertexLink: InMemoryHttp;
beforeAll(async () => {
  [gemini, vertex] = await Promise.all([startGeminiSimulator({ apiKey: 'gemini-media-key', listen: false }), startVertexSimulator({ listen: false })]);
  geminiLink = inMemoryHttp(gemini);
  vertexLink = inMemoryHttp(vertex);
});
afterAll(() => {
  geminiLink.close();
  vertexLink.close();
  return Promise.all([gemini.close(), vertex.close()]);
});

const geminiAdapter = (transport: Partial<ProviderTransport> = {}) =>
  createGeminiMediaAdapter({ baseURL: gemini.url, apiKey: () => 'gemini-media-key', fetch: geminiLink.fetch, ...transport });
const vertexAdapter = (transport: Partial<ProviderTransport> = {}) =>
  createVertexMediaAdapter({ baseURL: vertex.url, apiKey: () => vertex.serviceAccountJson!, options: { location: 'us-central1' }, fetch: vertexLink.fetch, ...transport });

const lastGemini = () => gemini.mediaRequests.at(-1)!;
const lastVertex = () => vertex.mediaRequests.at(-1)!;

describe('Gemini API media adapter', () => {
  it('embeds a batch through batchEmbedContents, each request naming the model, dimensions passed through', async () => {
    const result = await geminiAdapter().embed!({ model: 'gemini-embedding-001', input: ['hello world', 'good night moon'], dimensions: 256 }, callOptions());
    expect(lastGemini().path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(lastGemini().body).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { role: 'user', parts: [{ text: 'hello world' }] }, outputDimensionality: 256 },
        { model: 'models/gemini-embedding-001', content: { role: 'user', parts: [{ text: 'good night moon' }] }, outputDimensionality: 256 },
      ],
    });
    expect(result.vectors).toHaveLength(2);
    expect(result.vectors[0]).toHaveLength(256);
    expect(norm(result.vectors[0]!)).toBeCloseTo(1, 3);
    expect(result.vectors[0]).not.toEqual(result.vectors[1]);
    // The Gemini API reports no tokens: estimated at about four characters a token.
    expect(result.inputTokens).toBe(3 + 4);
  });

  it('splits more than 100 inputs over several batches, keeping order', async () => {
    const input = Array.from({ length: 130 }, (_, index) => `text ${index}`);
    const before = gemini.mediaRequests.length;
    const result = await geminiAdapter().embed!({ model: 'models/gemini-embedding-001', input, dimensions: 8 }, callOptions());
    expect(gemini.mediaRequests.length - before).toBe(2);
    expect(result.vectors).toHaveLength(130);
    const single = await geminiAdapter().embed!({ model: 'gemini-embedding-001', input: ['text 129'], dimensions: 8 }, callOptions());
    expect(result.vectors[129]).toEqual(single.vectors[0]);
  });

  it('refuses token arrays before calling the provider', async () => {
    const error = await rejection<InvalidRequestError>(geminiAdapter().embed!({ model: 'gemini-embedding-001', input: [[1, 2, 3]] }, callOptions()));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.code).toBe('unsupported_input');
  });

  it('generates with a Gemini image model through generateContent, one call per image, at the nearest aspect ratio', async () => {
    const before = gemini.mediaRequests.length;
    const result = await geminiAdapter().generateImage!({ model: 'gemini-2.5-flash-image', prompt: 'a lighthouse', n: 2, size: '1792x1024', quality: 'standard' }, callOptions());
    expect(gemini.mediaRequests.length - before).toBe(2);
    expect(lastGemini().path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
    expect(lastGemini().body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a lighthouse' }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: '16:9' } },
    });
    expect(result.images).toHaveLength(2);
    for (const image of result.images) {
      expect(image.mediaType).toBe('image/png');
      expect(decodePng(image.data)).toEqual({ width: 1344, height: 768 });
    }
  });

  it('edits from the prompt with the source image inline before it', async () => {
    const source = (await geminiAdapter().generateImage!({ model: 'gemini-2.5-flash-image', prompt: 'a cat', n: 1, size: '1024x1024', quality: 'standard' }, callOptions())).images[0]!;
    const result = await geminiAdapter().editImage!({ model: 'gemini-2.5-flash-image', prompt: 'make it blue', n: 1, size: '1024x1024', quality: 'standard', images: [source] }, callOptions());
    expect(lastGemini().body).toMatchObject({ contents: [{ role: 'user', parts: [{ inlineData: { mimeType: 'image/png', data: Buffer.from(source.data).toString('base64') } }, { text: 'make it blue' }] }] });
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1024 });
  });

  it('turns a blocked image prompt into a content-filter refusal', async () => {
    const error = await rejection(geminiAdapter().generateImage!({ model: 'gemini-2.5-flash-image', prompt: 'SIM_BLOCK_PROMPT', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect(error).toBeInstanceOf(UpstreamError);
    expect([error.status, error.code]).toEqual([400, 'content_filter']);
  });

  it('serves no Imagen on the Gemini API, where @google/genai deprecates generateImages: Imagen is a Vertex model', async () => {
    const before = gemini.mediaRequests.length;
    const error = await rejection<InvalidRequestError>(geminiAdapter().generateImage!({ model: 'imagen-4.0-generate-001', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([error.status, error.code, error.param]).toEqual([400, 'unsupported_model', 'model']);
    expect(gemini.mediaRequests.length).toBe(before);
    const refused = await geminiLink.fetch(`${gemini.url}/models/imagen-4.0-generate-001:predict`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'gemini-media-key', 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ prompt: 'x' }], parameters: { sampleCount: 1 } }),
    });
    expect(refused.status).toBe(404);
  });

  it('refuses n above four before calling the provider', async () => {
    const error = await rejection<InvalidRequestError>(geminiAdapter().generateImage!({ model: 'gemini-2.5-flash-image', prompt: 'x', n: 5, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect(error.code).toBe('invalid_n');
  });

  it('maps Google errors: a wrong key is an auth failure, an unknown model a 404, and retries get past a 503', async () => {
    const auth = await rejection(geminiAdapter({ apiKey: () => 'wrong-key' }).embed!({ model: 'gemini-embedding-001', input: ['x'] }, callOptions()));
    expect([auth.status, auth.code]).toEqual([502, 'upstream_auth_failed']);
    const missing = await rejection(geminiAdapter().embed!({ model: 'gemini-pro-vision', input: ['x'] }, callOptions()));
    expect([missing.status, missing.code]).toEqual([502, 'upstream_unavailable']);
    const retried: number[] = [];
    const result = await geminiAdapter({ fetch: fetchWithFault('503-once', geminiLink.fetch) }).embed!(
      { model: 'gemini-embedding-001', input: ['retry me'] },
      { ...callOptions(), onRetry: (info) => retried.push(info.retry) },
    );
    expect(retried).toEqual([1]);
    expect(result.vectors).toHaveLength(1);
  });
});

describe('Vertex AI media adapter', () => {
  it('embeds Gemini embedding models through :embedContent, one text a call as @google/genai does, metering the tokens Vertex reports', async () => {
    const before = vertex.mediaRequests.length;
    const result = await vertexAdapter().embed!({ model: 'gemini-embedding-001', input: ['one two three', 'four five'], dimensions: 64 }, callOptions());
    expect(vertex.mediaRequests.length - before).toBe(2);
    expect(lastVertex().path).toBe(`/v1/projects/${vertex.projectId}/locations/us-central1/publishers/google/models/gemini-embedding-001:embedContent`);
    expect(lastVertex().body).toMatchObject({ content: { role: 'user', parts: [{ text: expect.any(String) }] }, embedContentConfig: { outputDimensionality: 64, autoTruncate: false } });
    expect(result.vectors.map((vector) => vector.length)).toEqual([64, 64]);
    expect(result.inputTokens).toBe(5);
  });

  it('sends text-embedding models one batch', async () => {
    const before = vertex.mediaRequests.length;
    const result = await vertexAdapter().embed!({ model: 'text-embedding-005', input: ['a', 'b', 'c'] }, callOptions());
    expect(vertex.mediaRequests.length - before).toBe(1);
    expect(lastVertex().body).toEqual({ instances: [{ content: 'a' }, { content: 'b' }, { content: 'c' }], parameters: { autoTruncate: false } });
    expect(result.vectors).toHaveLength(3);
    expect(result.inputTokens).toBe(3);
  });

  it('generates Imagen PNGs with a bearer token from the service account', async () => {
    const result = await vertexAdapter().generateImage!({ model: 'imagen-4.0-fast-generate-001', prompt: 'a red fox', n: 1, size: '1024x1024', quality: 'standard' }, callOptions());
    expect(result.images).toHaveLength(1);
    expect(decodePng(result.images[0]!.data)).toEqual({ width: 1024, height: 1024 });
  });

  it('mints a new token after the provider refuses one', async () => {
    const adapter = vertexAdapter();
    await adapter.embed!({ model: 'text-embedding-005', input: ['warm'] }, callOptions());
    const issued = vertex.tokensIssued();
    vertex.revokeTokens();
    const result = await adapter.embed!({ model: 'text-embedding-005', input: ['after revoke'] }, callOptions());
    expect(result.vectors).toHaveLength(1);
    expect(vertex.tokensIssued()).toBe(issued + 1);
  });

  it('reports a model Vertex does not serve as a gateway fault', async () => {
    const error = await rejection(vertexAdapter().generateImage!({ model: 'dall-e-3', prompt: 'x', n: 1, size: '1024x1024', quality: 'standard' }, callOptions()));
    expect([error.status, error.code]).toEqual([502, 'upstream_unavailable']);
  });
});

describe('Veo video jobs', () => {
  const video = { model: 'veo-3.0-fast-generate-001', prompt: 'waves on a beach', durationSeconds: 8, resolution: '720p', aspectRatio: '16:9' };

  const download = async (state: Awaited<ReturnType<NonNullable<ReturnType<typeof geminiAdapter>['pollVideo']>>>) => {
    if (state.status !== 'completed') throw new Error(`not completed: ${state.status}`);
    const response = await geminiLink.fetch(state.videoUrl, { headers: { ...state.headers } });
    expect(response.ok).toBe(true);
    return new Uint8Array(await response.arrayBuffer());
  };

  it('offers no video jobs on the Gemini API, where @google/genai refuses generateVideos: Veo is a Vertex model', async () => {
    expect(geminiAdapter().submitVideo).toBeUndefined();
    const refused = await geminiLink.fetch(`${gemini.url}/models/veo-3.0-fast-generate-001:predictLongRunning`, {
      method: 'POST',
      headers: { 'x-goog-api-key': 'gemini-media-key', 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ prompt: 'x' }], parameters: { durationSeconds: 8 } }),
    });
    expect(refused.status).toBe(404);
  });

  it('runs a Vertex operation: fetchPredictOperation on the model the name holds, the video inline as a data URL', async () => {
    const { operationId } = await vertexAdapter().submitVideo!({ ...video, model: 'veo-3.0-generate-001', resolution: '1080p' }, callOptions());
    expect(operationId).toMatch(new RegExp(`^projects/${vertex.projectId}/locations/us-central1/publishers/google/models/veo-3.0-generate-001/operations/`));
    expect(lastVertex().body).toMatchObject({ parameters: { resolution: '1080p', sampleCount: 1 } });
    expect(await vertexAdapter().pollVideo!(operationId, callOptions())).toEqual({ status: 'in_progress' });
    expect(lastVertex()).toMatchObject({ path: expect.stringMatching(/models\/veo-3\.0-generate-001:fetchPredictOperation$/), body: { operationName: operationId } });
    const done = await vertexAdapter().pollVideo!(operationId, callOptions());
    expect(done.status === 'completed' && done.videoUrl.startsWith('data:video/mp4;base64,')).toBe(true);
    expect(Buffer.from(await download(done)).toString('latin1', 4, 8)).toBe('ftyp');
  });
});
