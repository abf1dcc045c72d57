/**
 * The official `@google/genai` SDK (3.6.1, pinned) drives the Gemini API and Vertex AI simulators through every
 * operation the gateway uses: generateContent (plain, streamed, with tools and thinking), embeddings, the Gemini
 * image models, Imagen (Vertex) and Veo video jobs with their operations. Vertex runs with `vertexai: true`, the
 * simulator as `httpOptions.baseUrl`, and an auth client whose bearer token the simulator's own token endpoint
 * issued (through the gateway's service-account flow), so no Google credentials are looked for.
 */
import { Modality } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGeminiSimulator, type GeminiSimulator } from '../../infra/local/simulators/gemini/server.ts';
import { startVertexSimulator, type VertexSimulator } from '../../infra/local/simulators/vertex/server.ts';
import { createAccessTokenSource } from '../../layers/providers/vertex/access-token.ts';
import { parseServiceAccount } from '../../layers/providers/vertex/service-account.ts';
import { decodePng } from '../support/media-providers.ts';
import { geminiClient, vertexClient } from '../support/google-clients.ts';

const KEY = 'gemini-sdk-key';
let gemini: GeminiSimulator;
let vertex: VertexSimulator;
let token = '';

beforeAll(async () => {
  [gemini, vertex] = await Promise.all([startGeminiSimulator({ apiKey: KEY }), startVertexSimulator()]);
  token = await createAccessTokenSource().token(parseServiceAccount(vertex.serviceAccountJson!), vertex.tokenUrl);
  // The SDK warns once that generateImages is deprecated; the Vertex Imagen test below expects that.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => Promise.all([gemini?.close(), vertex?.close()]));

const WEATHER = { name: 'get_weather', description: 'Weather for a city', parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('@google/genai against the Gemini API simulator', () => {
  const ai = () => geminiClient(new URL(gemini.url).origin, KEY);

  it('generateContent: text, usage and a finish reason the SDK parses', async () => {
    const response = await ai().models.generateContent({ model: 'gemini-2.0-flash', contents: 'Hello there', config: { maxOutputTokens: 64, temperature: 0.2 } });
    expect(response.text).toContain('Hello there');
    expect(response.candidates![0]!.finishReason).toBe('STOP');
    expect(response.usageMetadata!.promptTokenCount).toBeGreaterThan(0);
  });

  it('generateContentStream: SSE chunks, thoughts on request, and the thought signature of the text', async () => {
    let text = '';
    let thoughts = '';
    let signature: string | undefined;
    for await (const chunk of await ai().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Think first', config: { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } } })) {
      for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
        if (part.thought) thoughts += part.text ?? '';
        else text += part.text ?? '';
        signature = part.thoughtSignature ?? signature;
      }
    }
    expect(text).toContain('Think first');
    expect(thoughts.length).toBeGreaterThan(0);
    expect(signature).toEqual(expect.any(String));
  });

  it('function calling: a call the SDK exposes as functionCalls, answered in a second turn', async () => {
    const first = await ai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Weather in Rome?', config: { tools: [{ functionDeclarations: [WEATHER] }] } });
    const call = first.functionCalls![0]!;
    expect(call.name).toBe('get_weather');
    const second = await ai().models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Weather in Rome?' }] },
        first.candidates![0]!.content!,
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 25 } } }] },
      ],
      config: { tools: [{ functionDeclarations: [WEATHER] }] },
    });
    expect(second.text).toContain('get_weather returned');
  });

  it('embedContent: one vector per text (batchEmbedContents on the Gemini API)', async () => {
    const response = await ai().models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'], config: { outputDimensionality: 64 } });
    expect(response.embeddings!.map((embedding) => embedding.values!.length)).toEqual([64, 64]);
    expect(gemini.mediaRequests.at(-1)!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
  });

  it('a Gemini image model through generateContent: the image as inlineData', async () => {
    const response = await ai().models.generateContent({ model: 'gemini-2.5-flash-image', contents: 'a lighthouse', config: { responseModalities: [Modality.IMAGE], imageConfig: { aspectRatio: '16:9' } } });
    const inline = response.candidates![0]!.content!.parts!.find((part) => part.inlineData)!.inlineData!;
    expect(inline.mimeType).toBe('image/png');
    expect(decodePng(Buffer.from(inline.data!, 'base64'))).toEqual({ width: 1344, height: 768 });
  });

  it('the SDK itself refuses generateImages and generateVideos on the Gemini API, so the gateway serves Imagen and Veo on Vertex', async () => {
    await expect(ai().models.generateImages({ model: 'imagen-4.0-generate-001', prompt: 'x', config: { numberOfImages: 1 } })).rejects.toThrow(/only supported by the Gemini Enterprise Agent Platform/);
    await expect(ai().models.generateVideos({ model: 'veo-3.0-fast-generate-001', prompt: 'x' })).rejects.toThrow(/only supported by the Gemini Enterprise Agent Platform/);
  });
});

describe('@google/genai (vertexai: true) against the Vertex simulator', () => {
  const ai = () => vertexClient(vertex.url, vertex.projectId, () => token);

  it('generateContent and generateContentStream on the project’s publisher path with a bearer token', async () => {
    const response = await ai().models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hello Vertex' });
    expect(response.text).toContain('Hello Vertex');
    expect(vertex.requests.at(-1)!.path).toBe(`/v1/projects/${vertex.projectId}/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent`);
    let text = '';
    for await (const chunk of await ai().models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'Stream Vertex' })) text += chunk.text ?? '';
    expect(text).toContain('Stream Vertex');
  });

  it('embedContent: :predict on a text-embedding model, :embedContent on a Gemini embedding model', async () => {
    const response = await ai().models.embedContent({ model: 'text-embedding-005', contents: ['vertex words'], config: { outputDimensionality: 32 } });
    expect(response.embeddings![0]!.values).toHaveLength(32);
    const gemini = await ai().models.embedContent({ model: 'gemini-embedding-001', contents: ['vertex words'], config: { outputDimensionality: 64 } });
    expect(gemini.embeddings![0]!.values).toHaveLength(64);
    expect(gemini.embeddings![0]!.statistics!.tokenCount).toBe(2);
    expect(vertex.mediaRequests.at(-1)!.path).toMatch(/gemini-embedding-001:embedContent$/);
  });

  it('generateImages: Imagen on Vertex, where the gateway serves it', async () => {
    const response = await ai().models.generateImages({ model: 'imagen-4.0-fast-generate-001', prompt: 'a harbour', config: { numberOfImages: 2, aspectRatio: '1:1' } });
    expect(response.generatedImages).toHaveLength(2);
    expect(decodePng(Buffer.from(response.generatedImages![0]!.image!.imageBytes!, 'base64'))).toEqual({ width: 1024, height: 1024 });
  });

  it('generateVideos: predictLongRunning, then fetchPredictOperation until the inline video is there', async () => {
    let operation = await ai().models.generateVideos({ model: 'veo-3.0-fast-generate-001', prompt: 'a paper boat', config: { durationSeconds: 4, numberOfVideos: 1 } });
    await vi.waitFor(async () => {
      operation = await ai().operations.getVideosOperation({ operation });
      expect(operation.done).toBe(true);
    }, { timeout: 30_000, interval: 20 });
    const bytes = Buffer.from(operation.response!.generatedVideos![0]!.video!.videoBytes!, 'base64');
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  });
});
