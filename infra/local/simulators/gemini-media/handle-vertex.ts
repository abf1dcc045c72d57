/**
 * Media routes of the Vertex simulator: the publisher model's `:predict` for text embeddings and Imagen,
 * `:embedContent` for the Gemini embedding models, and
 * Veo's `:predictLongRunning` / `:fetchPredictOperation`, with the bearer tokens its token endpoint issued. Returns false for any other path (the text routes answer it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorInfo, googleError, isGoogleError, statusError } from '../gemini/google-error.ts';
import { sendJson } from '../gemini/http-io.ts';
import { ok, type Reply } from './reply.ts';
import { countTokens, embeddingFor, pictureFor } from '../media-fixtures/content.ts';
import type { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody } from '../media-fixtures/http.ts';

import { invalid, validateImagen } from './validate.ts';
import { checkVeoOperation, operationId, RAI_FILTERED, startVeoOperation, validateVeo } from './handle-veo.ts';

const ROUTE = /^\/v1(?:beta1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(predict|predictLongRunning|fetchPredictOperation|embedContent)$/;
const SERVICE = 'aiplatform.googleapis.com';
const MAX_INPUT_TOKENS = 2048;

export interface VertexMediaContext {
  /** Issued tokens → expiry (ms since the epoch), shared with the token endpoint. */
  readonly tokens: ReadonlyMap<string, number>;
  readonly projectId: string;
  readonly faults: FaultLatch;
  readonly requests: { path: string; body: unknown }[];
}

const unauthenticated = (reason: string) =>
  googleError(
    401,
    'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
    [errorInfo(reason, SERVICE)],
  );

const embed = (body: Record<string, unknown>, model: string): Record<string, unknown> | ReturnType<typeof googleError> => {
  const instances = body['instances'];
  if (!Array.isArray(instances) || instances.length === 0) return invalid('instances must not be empty.');
  const limit = model.startsWith('gemini-embedding') ? 1 : 250;
  if (instances.length > limit) return invalid(`Unable to submit request because the model supports up to ${limit} instances per request; got ${instances.length}.`);
  const parameters = isRecord(body['parameters']) ? body['parameters'] : {};
  const dimensions = parameters['outputDimensionality'] ?? (model.startsWith('gemini-embedding') ? 3072 : 768);
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 3072) return invalid('outputDimensionality is out of range.');
  const predictions = [];
  let characters = 0;
  for (const instance of instances as unknown[]) {
    const content = isRecord(instance) ? instance['content'] : undefined;
    if (typeof content !== 'string' || content === '') return invalid('The content field is required and must be a non-empty string.');
    const tokens = countTokens(content);
    if (tokens > MAX_INPUT_TOKENS && parameters['autoTruncate'] === false) {
      return invalid(`Unable to submit request because the input token count is ${tokens} but the model supports up to ${MAX_INPUT_TOKENS}. Reduce the input token count and try again.`);
    }
    characters += content.replace(/\s/g, '').length;
    predictions.push({ embeddings: { values: embeddingFor(content, dimensions), statistics: { truncated: false, token_count: Math.min(tokens, MAX_INPUT_TOKENS) } } });
  }
  return { predictions, metadata: { billableCharacterCount: characters } };
};

/**
 * `:embedContent` for the Gemini embedding models (what @google/genai calls for them on Vertex): one content,
 * `embedContentConfig` for dimensions and truncation, the vector and its token count back.
 */
const embedContent = (body: Record<string, unknown>): Record<string, unknown> | ReturnType<typeof googleError> => {
  const content = isRecord(body['content']) ? body['content'] : undefined;
  const parts = content?.['parts'];
  if (!Array.isArray(parts) || parts.length === 0) return invalid('content.parts must not be empty.');
  const text = parts.map((part: unknown) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
  if (text === '') return invalid('The content must hold text.');
  const config = isRecord(body['embedContentConfig']) ? body['embedContentConfig'] : {};
  const dimensions = config['outputDimensionality'] ?? 3072;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > 3072) return invalid('outputDimensionality is out of range.');
  const tokens = countTokens(text);
  if (tokens > MAX_INPUT_TOKENS && config['autoTruncate'] === false) {
    return invalid(`Unable to submit request because the input token count is ${tokens} but the model supports up to ${MAX_INPUT_TOKENS}. Reduce the input token count and try again.`);
  }
  return { embedding: { values: embeddingFor(text, dimensions) }, usageMetadata: { promptTokenCount: Math.min(tokens, MAX_INPUT_TOKENS), totalTokenCount: Math.min(tokens, MAX_INPUT_TOKENS) }, truncated: false };
};

const answer = (req: IncomingMessage, url: URL, rawBody: string, context: VertexMediaContext): Reply | false => {
  const route = ROUTE.exec(url.pathname);
  if (!route || req.method !== 'POST') return false;
  const [, project = '', location = '', encodedModel = '', method = ''] = route;
  const model = decodeURIComponent(encodedModel);
  const parsed = parseJsonBody(Buffer.from(rawBody));
  context.requests.push({ path: url.pathname, body: parsed.ok ? parsed.value : rawBody });
  const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!bearer) return unauthenticated('CREDENTIALS_MISSING');
  const expiresAt = context.tokens.get(bearer);
  if (expiresAt === undefined) return unauthenticated('ACCESS_TOKEN_TYPE_UNSUPPORTED');
  if (expiresAt <= Date.now()) return unauthenticated('ACCESS_TOKEN_EXPIRED');
  const resource = `projects/${project}/locations/${location}/publishers/google/models/${model}`;
  if (decodeURIComponent(project) !== context.projectId) {
    return googleError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//${SERVICE}/${resource}' (or it may not exist).`, [errorInfo('IAM_PERMISSION_DENIED', SERVICE)]);
  }
  const fault = context.faults.check(req, `${url.pathname}\0${rawBody}`);
  if (fault) return statusError(fault.status, fault.retryAfterSeconds);
  if (!parsed.ok || !isRecord(parsed.value)) return invalid('Invalid JSON payload received.');
  const notFound = googleError(404, `Publisher Model \`${resource}\` was not found or your project does not have access to it. Please ensure you are using a valid model version.`);

  if (method === 'predictLongRunning') {
    const clip = validateVeo(model, parsed.value);
    if (isGoogleError(clip)) return clip;
    return startVeoOperation(context.faults, `projects/${decodeURIComponent(project)}/locations/${decodeURIComponent(location)}/publishers/google/models/${model}/operations/${operationId()}`, clip);
  }
  if (method === 'fetchPredictOperation') {
    const name = parsed.value['operationName'];
    if (typeof name !== 'string' || !name.startsWith(`${resource}/operations/`)) return invalid('operationName must name an operation of this model.');
    return checkVeoOperation(context.faults, name, (video) => ({
      '@type': 'type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse',
      ...(video ? { videos: [{ mimeType: 'video/mp4', bytesBase64Encoded: Buffer.from(video).toString('base64') }] } : RAI_FILTERED),
    }));
  }
  if (model.startsWith('imagen-')) {
    const imagen = validateImagen(parsed.value);
    if (isGoogleError(imagen)) return imagen;
    if (imagen.prompt.includes('SIM_BLOCK_PROMPT')) return ok({});
    const predictions = Array.from({ length: imagen.count }, (_, index) => ({
      mimeType: 'image/png',
      bytesBase64Encoded: Buffer.from(pictureFor(`${imagen.prompt}#${index}`, imagen.width, imagen.height)).toString('base64'),
    }));
    return ok({ predictions });
  }
  if (method === 'embedContent') {
    if (!model.startsWith('gemini-embedding-')) return notFound;
    const answer = embedContent(parsed.value);
    return isGoogleError(answer) ? answer : ok(answer);
  }
  if (!/^(?:gemini-embedding-|text-embedding-|text-multilingual-embedding-)/.test(model)) return notFound;
  const answer = embed(parsed.value, model);
  if (isGoogleError(answer)) return answer;
  return ok(answer);
};

/** Answers a media route and returns true, or returns false for a path that is not one. */
export const handleVertexMedia = async (req: IncomingMessage, res: ServerResponse, url: URL, rawBody: string, context: VertexMediaContext): Promise<boolean> => {
  const reply = answer(req, url, rawBody, context);
  if (reply === false) return false;
  sendJson(res, reply.httpStatus, reply.body);
  return true;
};
