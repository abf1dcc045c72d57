/**
 * Media routes of the Gemini simulator: `models/{model}:embedContent`, `:batchEmbedContents`, Imagen's `:predict`
 * and Veo's `:predictLongRunning` (with its operation and file download GETs). Returns false for any other path,
 * so the text routes answer it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorInfo, googleError, isGoogleError, statusError, type GoogleError } from '../gemini/google-error.ts';
import { sendJson } from '../gemini/http-io.ts';
import { ok, type Reply } from './reply.ts';
import { countTokens, embeddingFor, pictureFor } from '../media-fixtures/content.ts';
import type { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody } from '../media-fixtures/http.ts';

import { invalid, validateImagen } from './validate.ts';
import { checkVeoOperation, operationId, RAI_FILTERED, startVeoOperation, validateVeo, veoState } from './handle-veo.ts';

const ROUTE = /^\/v1beta\/models\/([^/:]+):(embedContent|batchEmbedContents|predict|predictLongRunning)$/;
const OPERATION = /^\/v1beta\/(models\/[^/:]+\/operations\/[^/:]+)$/;
const FILE_DOWNLOAD = /^\/v1beta\/files\/([^/:]+):download$/;
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

/** Veo's status checks and downloads (GET), on behalf of `answer`. */
const answerVeoGet = (req: IncomingMessage, url: URL, context: GeminiMediaContext): Reply | { readonly video: Uint8Array } | false => {
  const operation = OPERATION.exec(url.pathname);
  const download = FILE_DOWNLOAD.exec(url.pathname);
  if (req.method !== 'GET' || (!operation && !download)) return false;
  context.requests.push({ path: url.pathname, body: undefined });
  const denied = keyError(req, url, context.apiKey);
  if (denied) return denied;
  if (download) {
    const video = veoState(context.faults).files.get(download[1]!);
    return video ? { video } : googleError(404, `File ${download[1]} not found.`);
  }
  const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
  return checkVeoOperation(context.faults, operation![1]!, (video) => {
    if (!video) return { '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse', generateVideoResponse: RAI_FILTERED };
    const file = operationId();
    veoState(context.faults).files.set(file, video);
    return {
      '@type': 'type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse',
      generateVideoResponse: { generatedSamples: [{ video: { uri: `${origin}/v1beta/files/${file}:download?alt=media` } }] },
    };
  });
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

  if (method === 'predictLongRunning') {
    const clip = validateVeo(model, parsed.value);
    if (isGoogleError(clip)) return clip;
    return startVeoOperation(context.faults, `models/${model}/operations/${operationId()}`, clip);
  }

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
  const veo = answerVeoGet(req, url, context);
  if (veo !== false && 'video' in veo) {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': veo.video.byteLength });
    res.end(Buffer.from(veo.video));
    return true;
  }
  const reply = veo !== false ? veo : answer(req, url, rawBody, context);
  if (reply === false) return false;
  sendJson(res, reply.httpStatus, reply.body);
  return true;
};
