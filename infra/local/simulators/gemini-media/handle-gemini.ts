/**
 * Media routes of the Gemini simulator: `models/{model}:embedContent`, `:batchEmbedContents` and Imagen's
 * `:predict`. Returns false for any other path, so the text routes answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorInfo, googleError, isGoogleError, statusError, type GoogleError } from '../gemini/google-error.ts';
import { sendJson } from '../gemini/http-io.ts';
import { ok, type Reply } from './reply.ts';
import { countTokens, embeddingFor, pictureFor } from '../media-fixtures/content.ts';
import type { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody } from '../media-fixtures/http.ts';

import { invalid, validateImagen } from './validate.ts';

const ROUTE = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents|predict)$/;
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

const answer = (req: IncomingMessage, url: URL, rawBody: string, context: GeminiMediaContext): Reply | false => {
  const route = ROUTE.exec(url.pathname);
  if (!route || req.method !== 'POST') return false;
  const model = decodeURIComponent(route[1] ?? '');
  const method = route[2]!;
  const parsed = parseJsonBody(Buffer.from(rawBody));
  context.requests.push({ path: url.pathname, body: parsed.ok ? parsed.value : rawBody });
  const denied = keyError(req, url, context.apiKey);
  if (denied) return denied;
  const fault = context.faults.check(req, `${url.pathname}\0${rawBody}`);
  if (fault) return statusError(fault.status, fault.retryAfterSeconds);
  if (!parsed.ok) return invalid('Invalid JSON payload received.');
  const notFound = googleError(404, `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);

  if (method === 'predict') {
    if (!model.startsWith('imagen-')) return notFound;
    const imagen = validateImagen(parsed.value);
    if (isGoogleError(imagen)) return imagen;
    // Everything filtered: the API answers with an empty object.
    if (imagen.prompt.includes('SIM_BLOCK_PROMPT')) return ok({});
    const predictions = Array.from({ length: imagen.count }, (_, index) => ({
      mimeType: 'image/png',
      bytesBase64Encoded: Buffer.from(pictureFor(`${imagen.prompt}#${index}`, imagen.width, imagen.height)).toString('base64'),
    }));
    return ok({ predictions });
  }

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
