/**
 * Media routes of the Gemini simulator: `models/{model}:embedContent`, `:batchEmbedContents` and the Gemini image
 * models' `:generateContent` (an image as `inlineData`). Imagen's `:predict` and Veo's `:predictLongRunning` are
 * refused: @google/genai 3.6 refuses `generateImages` and `generateVideos` on the Gemini API, and the gateway serves
 * both through Vertex AI. Returns false for any other path, so the text routes answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorInfo, googleError, isGoogleError, statusError, type GoogleError } from '../gemini/google-error.ts';
import { sendJson } from '../gemini/http-io.ts';
import { ok, type Reply } from './reply.ts';
import { countTokens, embeddingFor, pictureFor } from '../media-fixtures/content.ts';
import type { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody } from '../media-fixtures/http.ts';

import { invalid } from './validate.ts';
import { operationId } from './handle-veo.ts';

const ROUTE = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents|predict|predictLongRunning|generateContent)$/;
const IMAGE_MODEL = /^gemini-[\w.-]*-image(?:-|$)/;
const SERVICE = 'generativelanguage.googleapis.com';
const EMBEDDING_MODEL = /^(?:gemini-embedding-|text-embedding-|embedding-)/;
const MAX_DIMENSIONS = 3072;
const MAX_BATCH = 100;

export interface GeminiMediaContext {
  readonly apiKey: string | undefined;
  readonly faults: FaultLatch;
  /** Every media request received: path and parsed body. */
  readonly requests: { path: string; body: unknown }[];
}

const keyError = (req: IncomingMessage, url: URL, expected: string | undefined): GoogleError | undefined => {
  const key = (req.headers['x-goog-api-key'] as string | undefined) ?? url.searchParams.get('key') ?? '';
  if (key === '') return googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  if (expected !== undefined && key !== expected) return googleError(400, 'API key not valid. Please pass a valid API key.', [errorInfo('API_KEY_INVALID', SERVICE)]);
  return undefined;
};

/** One `EmbedContentRequest` → its vector and token count, or Google's refusal. */
const embedOne = (request: unknown, model: string, where: string): { values: number[]; tokens: number } | GoogleError => {
  if (!isRecord(request)) return invalid(`Invalid value at '${where}'.`);
  if (request['model'] !== undefined && request['model'] !== `models/${model}`) {
    return invalid(`* ${where}.model: Model name in request (${String(request['model'])}) does not match the model name in the URL (models/${model}).`);
  }
  const content = request['content'];
  const parts = isRecord(content) ? content['parts'] : undefined;
  if (!Array.isArray(parts) || parts.length === 0) return invalid(`* ${where}.content.parts: contents.parts must not be empty.`);
  const text = parts.map((part: unknown) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
  if (text.trim() === '') return invalid(`* ${where}.content: The text content is empty.`);
  const dimensions = request['outputDimensionality'] ?? request['output_dimensionality'] ?? MAX_DIMENSIONS;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    return invalid(`* ${where}.output_dimensionality: Output dimensionality must be between 1 and ${MAX_DIMENSIONS}.`);
  }
  return { values: embeddingFor(text, dimensions), tokens: countTokens(text) };
};

/** `[w, h]` of the 1K render of each aspect ratio Gemini image models take (Google's size table). */
const IMAGE_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  '1:1': [1024, 1024], '2:3': [832, 1248], '3:2': [1248, 832], '3:4': [864, 1184], '4:3': [1184, 864],
  '4:5': [896, 1152], '5:4': [1152, 896], '9:16': [768, 1344], '16:9': [1344, 768], '21:9': [1536, 672],
};
const TOKENS_PER_IMAGE = 1290;

/** An image model's generateContent: the prompt (and any source images) → one PNG as `inlineData`. */
const nativeImage = (model: string, body: unknown): Reply => {
  const contents = isRecord(body) ? body['contents'] : undefined;
  const parts = Array.isArray(contents) && isRecord(contents.at(-1)) ? (contents.at(-1) as Record<string, unknown>)['parts'] : undefined;
  if (!Array.isArray(parts) || parts.length === 0) return invalid('* GenerateContentRequest.contents: contents is not specified');
  const prompt = parts.map((part: unknown) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
  const config = isRecord(body) && isRecord(body['generationConfig']) ? body['generationConfig'] : {};
  const modalities = config['responseModalities'] ?? ['TEXT', 'IMAGE'];
  if (!Array.isArray(modalities) || !modalities.every((m) => m === 'TEXT' || m === 'IMAGE')) return invalid('* GenerateContentRequest.generation_config.response_modalities: invalid value');
  const ratio = isRecord(config['imageConfig']) ? (config['imageConfig']['aspectRatio'] ?? '1:1') : '1:1';
  const size = typeof ratio === 'string' ? IMAGE_SIZES[ratio] : undefined;
  if (!size) return invalid(`* GenerateContentRequest.generation_config.image_config.aspect_ratio: Unsupported aspect ratio ${String(ratio)}.`);
  const usageMetadata = { promptTokenCount: Math.max(1, Math.ceil(prompt.length / 4)), candidatesTokenCount: TOKENS_PER_IMAGE, totalTokenCount: Math.max(1, Math.ceil(prompt.length / 4)) + TOKENS_PER_IMAGE };
  if (prompt.includes('SIM_BLOCK_PROMPT')) return ok({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata, modelVersion: model });
  const data = Buffer.from(pictureFor(prompt, size[0], size[1])).toString('base64');
  const answerParts = [...(modalities.includes('TEXT') ? [{ text: `Here is ${prompt.slice(0, 60)}.` }] : []), { inlineData: { mimeType: 'image/png', data } }];
  return ok({ candidates: [{ content: { role: 'model', parts: answerParts }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: model, responseId: operationId() });
};

const answer = (req: IncomingMessage, url: URL, rawBody: string, context: GeminiMediaContext): Reply | false => {
  const route = ROUTE.exec(url.pathname);
  if (!route || req.method !== 'POST') return false;
  const model = decodeURIComponent(route[1] ?? '');
  const method = route[2]!;
  if (method === 'generateContent' && !IMAGE_MODEL.test(model)) return false;
  const parsed = parseJsonBody(Buffer.from(rawBody));
  context.requests.push({ path: url.pathname, body: parsed.ok ? parsed.value : rawBody });
  const denied = keyError(req, url, context.apiKey);
  if (denied) return denied;
  const fault = context.faults.check(req, `${url.pathname}\0${rawBody}`);
  if (fault) return statusError(fault.status, fault.retryAfterSeconds);
  if (!parsed.ok) return invalid('Invalid JSON payload received.');
  const notFound = googleError(404, `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);

  if (method === 'predict' || method === 'predictLongRunning') return notFound;
  if (method === 'generateContent') return nativeImage(model, parsed.value);

  if (!EMBEDDING_MODEL.test(model)) return notFound;
  if (method === 'embedContent') {
    const one = embedOne({ ...(isRecord(parsed.value) ? parsed.value : {}), model: `models/${model}` }, model, 'EmbedContentRequest');
    if (isGoogleError(one)) return one;
    return ok({ embedding: { values: one.values } });
  }
  const requests = isRecord(parsed.value) ? parsed.value['requests'] : undefined;
  if (!Array.isArray(requests) || requests.length === 0) return invalid('* BatchEmbedContentsRequest.requests: requests must not be empty.');
  if (requests.length > MAX_BATCH) return invalid(`* BatchEmbedContentsRequest.requests: at most ${MAX_BATCH} requests can be in one batch`);
  const embeddings: { values: number[] }[] = [];
  for (const [index, request] of requests.entries()) {
    const one = embedOne(request, model, `BatchEmbedContentsRequest.requests[${index}]`);
    if (isGoogleError(one)) return one;
    embeddings.push({ values: one.values });
  }
  return ok({ embeddings });
};

/** Answers a media route and returns true, or returns false for a path that is not one. */
export const handleGeminiMedia = async (req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string, context: GeminiMediaContext): Promise<boolean> => {
  const reply = answer(req, url, rawBody, context);
  if (reply === false) return false;
  sendJson(res, reply.httpStatus, reply.body);
  return true;
};
