/**
 * The gateway's Gemini API and Vertex AI adapters send what `@google/genai` (3.6.1) sends for the same operation,
 * compared on a loopback recorder in front of the simulators. Differences that remain are listed with their
 * reasons in layers/providers/gemini/README.md; any other difference fails here.
 */
import { Modality } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGeminiSimulator, type GeminiSimulator } from '../../infra/local/simulators/gemini/server.ts';
import { startVertexSimulator, type VertexSimulator } from '../../infra/local/simulators/vertex/server.ts';
import { createGeminiMediaAdapter } from '../../layers/providers/gemini/media/adapter.ts';
import { createGeminiAdapter } from '../../layers/providers/gemini/model.ts';
import type { StreamPart } from '../../layers/providers/types.ts';
import { createAccessTokenSource } from '../../layers/providers/vertex/access-token.ts';
import { createVertexMediaAdapter } from '../../layers/providers/vertex/media/adapter.ts';
import { createVertexAdapter } from '../../layers/providers/vertex/model.ts';
import { parseServiceAccount } from '../../layers/providers/vertex/service-account.ts';
import { callOptions } from '../support/media-providers.ts';
import { geminiClient, vertexClient } from '../support/google-clients.ts';
import { startWireRecorder, wireDiff, type CapturedRequest, type WireRecorder } from '../support/wire-recorder.ts';

const KEY = 'gemini-wire-key';
let gemini: GeminiSimulator;
let vertex: VertexSimulator;
let rec: WireRecorder;
let vertexRec: WireRecorder;
let token = '';

beforeAll(async () => {
  [gemini, vertex] = await Promise.all([startGeminiSimulator({ apiKey: KEY }), startVertexSimulator()]);
  [rec, vertexRec] = await Promise.all([startWireRecorder(new URL(gemini.url).origin), startWireRecorder(vertex.url)]);
  token = await createAccessTokenSource().token(parseServiceAccount(vertex.serviceAccountJson!), vertex.tokenUrl);
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterAll(() => Promise.all([rec?.close(), vertexRec?.close(), gemini?.close(), vertex?.close()]));

const sdk = () => geminiClient(rec.origin, KEY);
const vertexSdk = () => vertexClient(vertexRec.origin, vertex.projectId, () => token);
const transport = () => ({ baseURL: `${rec.origin}/v1beta`, apiKey: () => KEY, maxRetries: 0 });
const vertexTransport = () => ({ baseURL: vertexRec.origin, apiKey: () => vertex.serviceAccountJson!, maxRetries: 0, options: { project: vertex.projectId, location: 'us-central1', tokenUrl: vertex.tokenUrl } });
const drain = async (parts: AsyncIterable<StreamPart>): Promise<void> => {
  for await (const part of parts) void part;
};
/** Both sides hold a valid token of their own; the scheme is what must match. */
const sameBearer = (request: CapturedRequest): CapturedRequest => ({
  ...request,
  headers: { ...request.headers, ...(request.headers['authorization']?.startsWith('Bearer ') ? { authorization: 'Bearer <token>' } : {}) },
});

const compare = async (recorder: WireRecorder, viaSdk: () => Promise<unknown>, viaAdapter: () => Promise<unknown>): Promise<string[]> => {
  const [a] = await recorder.during(viaSdk);
  const [b] = await recorder.during(viaAdapter);
  expect(a, 'the SDK made a request').toBeDefined();
  expect(b, 'the adapter made a request').toBeDefined();
  return wireDiff(sameBearer(a!), sameBearer(b!));
};

const user = (text: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text }] });
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('Gemini API adapters vs @google/genai', () => {
  it('generateContent with a system instruction and generation settings', async () => {
    const diff = await compare(
      rec,
      () => sdk().models.generateContent({ model: 'gemini-2.0-flash', contents: [{ role: 'user', parts: [{ text: 'Hello' }] }], config: { systemInstruction: { parts: [{ text: 'Be brief.' }] }, maxOutputTokens: 64, temperature: 0.2, topP: 0.9, stopSequences: ['END'] } }),
      () => createGeminiAdapter(transport()).generate({ model: 'gemini-2.0-flash', messages: [{ role: 'system', content: 'Be brief.' }, user('Hello')], maxOutputTokens: 64, temperature: 0.2, topP: 0.9, stop: ['END'] }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('streamGenerateContent with tools and a thinking budget', async () => {
    const diff = await compare(
      rec,
      async () => {
        for await (const chunk of await sdk().models.generateContentStream({
          model: 'gemini-2.5-flash',
          contents: [{ role: 'user', parts: [{ text: 'Weather?' }] }],
          config: { tools: [{ functionDeclarations: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never } }, required: ['city'] } }] }], toolConfig: { functionCallingConfig: { mode: 'AUTO' as never } }, thinkingConfig: { thinkingBudget: 1024 } },
        })) void chunk;
      },
      async () =>
        drain(
          await createGeminiAdapter(transport()).stream(
            { model: 'gemini-2.5-flash', messages: [user('Weather?')], tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: WEATHER_SCHEMA }], toolChoice: 'auto', reasoning: { effort: 'low' } },
            callOptions(),
          ),
        ),
    );
    expect(diff).toEqual([]);
  });

  it('embeddings (batchEmbedContents)', async () => {
    const diff = await compare(
      rec,
      () => sdk().models.embedContent({ model: 'gemini-embedding-001', contents: ['one', 'two'], config: { outputDimensionality: 64 } }),
      () => createGeminiMediaAdapter(transport()).embed!({ model: 'gemini-embedding-001', input: ['one', 'two'], dimensions: 64 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('a Gemini image model (generateContent with image output)', async () => {
    const diff = await compare(
      rec,
      () => sdk().models.generateContent({ model: 'gemini-2.5-flash-image', contents: [{ role: 'user', parts: [{ text: 'a lighthouse' }] }], config: { responseModalities: [Modality.IMAGE], imageConfig: { aspectRatio: '16:9' } } }),
      () => createGeminiMediaAdapter(transport()).generateImage!({ model: 'gemini-2.5-flash-image', prompt: 'a lighthouse', n: 1, size: '1792x1024', quality: 'standard' }, callOptions()),
    );
    expect(diff).toEqual([]);
  });
});

describe('Vertex AI adapters vs @google/genai (vertexai: true)', () => {
  it('generateContent on the publisher path with a bearer token', async () => {
    const diff = await compare(
      vertexRec,
      () => vertexSdk().models.generateContent({ model: 'gemini-2.5-flash', contents: [{ role: 'user', parts: [{ text: 'Hello' }] }], config: { maxOutputTokens: 32 } }),
      () => createVertexAdapter(vertexTransport()).generate({ model: 'gemini-2.5-flash', messages: [user('Hello')], maxOutputTokens: 32 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('Imagen (:predict)', async () => {
    const diff = await compare(
      vertexRec,
      () => vertexSdk().models.generateImages({ model: 'imagen-4.0-fast-generate-001', prompt: 'a harbour', config: { numberOfImages: 2, aspectRatio: '1:1' } }),
      () => createVertexMediaAdapter(vertexTransport()).generateImage!({ model: 'imagen-4.0-fast-generate-001', prompt: 'a harbour', n: 2, size: '1024x1024', quality: 'standard' }, callOptions()),
    );
    // The SDK always asks for `outputOptions.mimeType` only when told; the rest is the same body.
    expect(diff).toEqual([]);
  });

  it('embeddings on a text-embedding model (:predict)', async () => {
    const diff = await compare(
      vertexRec,
      () => vertexSdk().models.embedContent({ model: 'text-embedding-005', contents: ['vertex words'], config: { outputDimensionality: 32, autoTruncate: false } }),
      () => createVertexMediaAdapter(vertexTransport()).embed!({ model: 'text-embedding-005', input: ['vertex words'], dimensions: 32 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('gemini-embedding-001 (:embedContent, one text a call)', async () => {
    const diff = await compare(
      vertexRec,
      () => vertexSdk().models.embedContent({ model: 'gemini-embedding-001', contents: ['vertex words'], config: { outputDimensionality: 32, autoTruncate: false } }),
      () => createVertexMediaAdapter(vertexTransport()).embed!({ model: 'gemini-embedding-001', input: ['vertex words'], dimensions: 32 }, callOptions()),
    );
    expect(diff).toEqual([]);
  });

  it('Veo (:predictLongRunning, then :fetchPredictOperation)', async () => {
    let operation: Awaited<ReturnType<ReturnType<typeof vertexSdk>['models']['generateVideos']>> | undefined;
    let operationId = '';
    const diff = await compare(
      vertexRec,
      async () => (operation = await vertexSdk().models.generateVideos({ model: 'veo-3.0-fast-generate-001', prompt: 'a paper boat', config: { durationSeconds: 8, aspectRatio: '16:9', resolution: '720p', numberOfVideos: 1 } })),
      async () => (operationId = (await createVertexMediaAdapter(vertexTransport()).submitVideo!({ model: 'veo-3.0-fast-generate-001', prompt: 'a paper boat', durationSeconds: 8, resolution: '720p', aspectRatio: '16:9' }, callOptions())).operationId),
    );
    expect(diff).toEqual([]);
    const [sdkPoll] = await vertexRec.during(() => vertexSdk().operations.getVideosOperation({ operation: operation! }));
    const [ourPoll] = await vertexRec.during(() => createVertexMediaAdapter(vertexTransport()).pollVideo!(operationId, callOptions()));
    // Each side polls its own operation; the names differ only in the operation id.
    const named = (request: CapturedRequest): CapturedRequest => sameBearer({ ...request, body: { operationName: String((request.body as { operationName: string }).operationName).replace(/[^/]+$/, '{id}') } });
    expect(wireDiff(named(sdkPoll!), named(ourPoll!))).toEqual([]);
  });
});
