/**
 * Fireworks' media routes on the fireworks flavor of the OpenAI-compatible simulator (base `/inference/v1`):
 * embeddings, FLUX `text_to_image` workflows answering image bytes, FLUX Kontext async requests with
 * `get_result`, and the result downloads Kontext points at. See README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readPngSize } from '../../../../layers/core/media/formats/png.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import { invalidRequest, type SimError } from '../openai-compatible/sim-error.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { sendBytes } from '../openai-media/io.ts';
import { jsonFaultText, jsonObject, runRoute, throwSimError } from '../media-fixtures/compatible-route.ts';
import { pictureFor } from '../media-fixtures/content.ts';
import { openAIEmbeddings } from '../media-fixtures/openai-embeddings.ts';
import { simState } from '../media-fixtures/sim-state.ts';

const BASE = '/inference/v1';
const TEXT_TO_IMAGE = /^\/inference\/v1\/workflows\/accounts\/([^/]+)\/models\/([^/]+)\/text_to_image$/;
const KONTEXT = /^\/inference\/v1\/workflows\/accounts\/([^/]+)\/models\/([^/]+?)(\/get_result)?$/;

const FLUX_MODELS: Readonly<Record<string, { readonly maxSteps: number }>> = { 'flux-1-schnell-fp8': { maxSteps: 4 }, 'flux-1-dev-fp8': { maxSteps: 50 } };
const KONTEXT_MODELS = ['flux-kontext-pro', 'flux-kontext-max'];
const ASPECT_RATIOS = ['1:1', '21:9', '16:9', '3:2', '5:4', '4:5', '2:3', '9:16', '9:21', '4:3', '3:4'];
const EMBEDDING_MODELS = { 'nomic-ai/nomic-embed-text-v1.5': { dimensions: 768, shortenable: true, maxInputs: 256 }, 'nomic-ai/nomic-embed-text-v1': { dimensions: 768, shortenable: false, maxInputs: 256 } };

const notFound = (): SimError => ({ status: 404, message: 'Model not found, inaccessible, and/or not deployed', type: 'invalid_request_error', code: 'NOT_FOUND' });

/** About one megapixel at the ratio, sides a multiple of 64 (as FLUX renders). */
export const fluxSize = (ratio: string): { width: number; height: number } => {
  const [w, h] = ratio.split(':').map(Number) as [number, number];
  const width = Math.round(Math.sqrt((1024 * 1024 * w) / h) / 64) * 64;
  return { width, height: Math.round((width * h) / w / 64) * 64 };
};

interface KontextTask {
  readonly image: Uint8Array;
  readonly moderated: boolean;
  polls: number;
}

/** Kontext requests in flight and finished, per simulator. */
const tasks = (deps: MediaDeps): Map<string, KontextTask> => simState(deps.files, 'fireworks-kontext', () => new Map<string, KontextTask>());

const aspectRatio = (value: unknown, fallback: string): string => {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !ASPECT_RATIOS.includes(value)) return throwSimError(invalidRequest(`aspect_ratio must be one of ${ASPECT_RATIOS.join(', ')}`, 'aspect_ratio'));
  return value;
};

const prompt = (body: Record<string, unknown>): string =>
  typeof body['prompt'] === 'string' && body['prompt'].trim() !== '' ? body['prompt'] : throwSimError(invalidRequest('prompt is required', 'prompt'));

/** A Kontext `input_image`: base64, a data URL, or (not fetched by the simulator) a URL. */
const inputImage = (value: unknown): Uint8Array | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return throwSimError(invalidRequest('input_image must be a string', 'input_image'));
  const bytes = new Uint8Array(Buffer.from(value.replace(/^data:[^,]*;base64,/, ''), 'base64'));
  if (sniffMedia(bytes)?.kind !== 'image') return throwSimError(invalidRequest('input_image could not be decoded as an image', 'input_image'));
  return bytes;
};

export const matchesFireworksMedia = (url: URL): boolean => url.pathname === `${BASE}/embeddings` || url.pathname.startsWith(`${BASE}/workflows/`);

export const handleFireworksMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> =>
  runRoute(
    req,
    res,
    url,
    deps,
    ({ context, body }) => {
      if (req.method !== 'POST') return throwSimError({ status: 404, message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error' });
      const json = jsonObject(body, () => invalidRequest('Request body must be a JSON object.'));
      if (url.pathname === `${BASE}/embeddings`) {
        deps.record(json);
        return sendJson(context.res, 200, openAIEmbeddings(json, EMBEDDING_MODELS, notFound));
      }
      deps.record(json);
      const flux = TEXT_TO_IMAGE.exec(url.pathname);
      if (flux) {
        const rule = flux[1] === 'fireworks' ? FLUX_MODELS[flux[2] ?? ''] : undefined;
        if (!rule) return throwSimError(notFound());
        const text = prompt(json);
        const { width, height } = fluxSize(aspectRatio(json['aspect_ratio'], '16:9'));
        const steps = json['num_inference_steps'];
        if (steps !== undefined && (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > rule.maxSteps)) {
          return throwSimError(invalidRequest(`num_inference_steps must be an integer from 1 to ${rule.maxSteps}`, 'num_inference_steps'));
        }
        const seed = typeof json['seed'] === 'number' ? json['seed'] : 0;
        const image = pictureFor(`${text}#${seed}`, width, height);
        const accept = req.headers.accept ?? 'application/json';
        if (accept.includes('image/png')) return sendBytes(context.res, 'image/png', Buffer.from(image));
        if (accept.includes('image/jpeg')) return throwSimError(invalidRequest('The simulator renders image/png only.', 'Accept'));
        return sendJson(context.res, 200, { id: deps.requestId, base64: [`data:image/png;base64,${Buffer.from(image).toString('base64')}`], finishReason: 'SUCCESS', seed });
      }
      const kontext = KONTEXT.exec(url.pathname);
      if (kontext?.[1] !== 'fireworks' || !KONTEXT_MODELS.includes(kontext[2] ?? '')) return throwSimError(notFound());
      if (kontext[3]) {
        const id = typeof json['id'] === 'string' ? json['id'] : throwSimError(invalidRequest('id is required', 'id'));
        const task = tasks(deps).get(id);
        if (!task) return sendJson(context.res, 200, { id, status: 'Task not found', result: null });
        task.polls += 1;
        // The first check finds the request still running, as a real one would be.
        if (task.polls === 1) return sendJson(context.res, 200, { id, status: 'Pending', result: null, progress: 0.5 });
        if (task.moderated) return sendJson(context.res, 200, { id, status: 'Content Moderated', result: null, details: { 'Moderation Reasons': ['Simulated'] } });
        return sendJson(context.res, 200, { id, status: 'Ready', result: { sample: context.files.add(context.origin, Buffer.from(task.image)) } });
      }
      const text = prompt(json);
      const source = inputImage(json['input_image']);
      const format = json['output_format'] ?? 'png';
      if (format !== 'png' && format !== 'jpeg') return throwSimError(invalidRequest("output_format must be 'png' or 'jpeg'", 'output_format'));
      if (format === 'jpeg') return throwSimError(invalidRequest('The simulator renders png only.', 'output_format'));
      const size = source ? (readPngSize(source) ?? { width: 1024, height: 1024 }) : fluxSize(aspectRatio(json['aspect_ratio'], '1:1'));
      const id = `${deps.requestId}-${Math.random().toString(36).slice(2, 10)}`;
      tasks(deps).set(id, { image: pictureFor(`${text}#kontext`, size.width, size.height), moderated: text.includes('SIM_BLOCK_PROMPT'), polls: 0 });
      return sendJson(context.res, 200, { request_id: id });
    },
    { faultText: jsonFaultText },
  );
