/**
 * OpenAI's media endpoints on the openai flavor of the OpenAI-compatible simulator (same server, same base URL,
 * same key): embeddings, image generations and edits, speech, transcriptions, translations, moderations, plus `GET /v1/sim-files/…` for
 * images answered by URL. See README.md for the rules each endpoint enforces.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OnceTracker } from '../openai-compatible/faults.ts';
import type { Flavor } from '../openai-compatible/flavors.ts';
import { statusError } from '../openai-compatible/sim-error.ts';
import { Refusal, fail, refuse, type MediaContext } from './context.ts';
import { handleEmbeddings } from './embeddings.ts';
import { applyMediaFaults } from './faults.ts';
import { FILES_PATH, type ImageFiles } from './image-files.ts';
import { handleEdit, handleGeneration } from './images.ts';
import { readBytes, readForm, sendBytes, type ParsedForm } from './io.ts';
import { handleSpeech } from './speech.ts';
import { handleModeration } from './moderations.ts';
import { handleTranscription } from './transcriptions.ts';
import { handleTranslation } from './translations.ts';

export { ImageFiles } from './image-files.ts';

const JSON_ROUTES: Readonly<Record<string, (context: MediaContext, body: Record<string, unknown>) => void>> = {
  '/v1/embeddings': handleEmbeddings,
  '/v1/images/generations': handleGeneration,
  '/v1/audio/speech': handleSpeech,
  '/v1/moderations': handleModeration,
};

const FORM_ROUTES: Readonly<Record<string, (context: MediaContext, fields: Record<string, string>, files: ParsedForm['files']) => void>> = {
  '/v1/images/edits': handleEdit,
  '/v1/audio/transcriptions': handleTranscription,
  '/v1/audio/translations': handleTranslation,
};

/** Whether the openai flavor's server should hand this request to the media endpoints. */
export const isOpenAIMediaRequest = (flavor: Flavor, url: URL): boolean =>
  flavor.name === 'openai' && (url.pathname in JSON_ROUTES || url.pathname in FORM_ROUTES || url.pathname.startsWith(FILES_PATH));

export interface MediaDeps {
  readonly flavor: Flavor;
  readonly requestId: string;
  readonly apiKey: string | undefined;
  readonly once: OnceTracker;
  readonly files: ImageFiles;
  /** Records the request as the chat endpoints do (`sim.requests`); multipart bodies as their parsed fields. */
  readonly record: (body: unknown) => void;
}

const parseJsonObject = (bytes: Buffer): Record<string, unknown> => {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return refuse('We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)');
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : refuse('The body must be a JSON object.');
};

/** The text a `SIM_FAULT=` token may hide in: the prompt, the input, or the speech text. */
const faultText = (fields: Record<string, unknown>): string =>
  [fields.prompt, fields.input].map((v) => (typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(' ') : '')).join(' ');

export const handleOpenAIMedia = async (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> => {
  const context: MediaContext = { req, res, flavor: deps.flavor, requestId: deps.requestId, origin: `http://${req.headers.host ?? '127.0.0.1'}`, files: deps.files };
  if (url.pathname.startsWith(FILES_PATH)) {
    const image = req.method === 'GET' ? deps.files.get(url.pathname) : undefined;
    if (!image) return fail(context, { status: 404, message: 'The specified blob does not exist.', type: 'invalid_request_error' });
    return sendBytes(res, 'image/png', image);
  }
  if (req.method !== 'POST') return fail(context, { status: 404, message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error' });
  const denied = deps.flavor.authorize(req, deps.apiKey);
  const bytes = await readBytes(req);
  if (denied) return fail(context, denied);
  if (!bytes) return fail(context, { status: 413, message: 'Request too large.', type: 'invalid_request_error', code: 'request_too_large' });
  try {
    const jsonRoute = JSON_ROUTES[url.pathname];
    if (jsonRoute) {
      const body = parseJsonObject(bytes);
      deps.record(body);
      if (await applyMediaFaults(req, res, deps.once, faultText(body), (e) => fail(context, e), deps.flavor.contentFilterError)) return;
      return jsonRoute(context, body);
    }
    const form = await readForm(bytes, req.headers['content-type'] ?? '');
    if (!form) return refuse("Invalid Content-Type header (expected multipart/form-data), or the multipart body could not be parsed.", null, 'invalid_request');
    deps.record({ ...form.fields, files: form.files.map((f) => ({ name: f.name, filename: f.filename, type: f.type, bytes: f.data.length })) });
    if (await applyMediaFaults(req, res, deps.once, faultText(form.fields), (e) => fail(context, e), deps.flavor.contentFilterError)) return;
    return FORM_ROUTES[url.pathname]!(context, form.fields, form.files);
  } catch (error) {
    if (error instanceof Refusal) return fail(context, error.error);
    return fail(context, statusError(500, undefined));
  }
};
