/**
 * DashScope's media routes on the alibaba flavor of the OpenAI-compatible simulator: compatible-mode
 * embeddings, and the native async image tasks (text-to-image, image editing) with `GET /api/v1/tasks/{id}`.
 * Native routes answer DashScope's own error body `{request_id, code, message}`. See README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readPngSize } from '../../../../layers/core/media/formats/png.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { bearer } from '../openai-compatible/flavor.ts';
import type { Flavor } from '../openai-compatible/flavors.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import type { SimError } from '../openai-compatible/sim-error.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { jsonFaultText, jsonObject, runRoute, throwSimError } from '../media-fixtures/compatible-route.ts';
import { pictureFor } from '../media-fixtures/content.ts';
import { openAIEmbeddings } from '../media-fixtures/openai-embeddings.ts';
import { simState } from '../media-fixtures/sim-state.ts';
import { makeMp4, thumbnailSize } from '../openai-video/mp4.ts';

const EMBEDDINGS = '/compatible-mode/v1/embeddings';
const TEXT_TO_IMAGE = '/api/v1/services/aigc/text2image/image-synthesis';
const IMAGE_TO_IMAGE = '/api/v1/services/aigc/image2image/image-synthesis';
const VIDEO_SYNTHESIS = '/api/v1/services/aigc/video-generation/video-synthesis';
const TASKS = /^\/api\/v1\/tasks\/([^/]+)$/;
const VIDEOS = /^\/api\/v1\/sim-videos\/([^/]+)\.mp4$/;

const EMBEDDING_MODELS = {
  'text-embedding-v3': { dimensions: 1024, shortenable: true, maxInputs: 10 },
  'text-embedding-v4': { dimensions: 1024, shortenable: true, maxInputs: 10 },
};
const TEXT_TO_IMAGE_MODEL = /^(?:wan2\.[0-9]-t2i-|wanx2\.[0-9]-t2i-)/;
const EDIT_MODELS = ['wanx2.1-imageedit'];
/** Wan video models: text-to-video sizes (`W*H`), image-to-video resolution tiers, durations in seconds. */
const VIDEO_MODELS: Readonly<Record<string, { readonly imageToVideo: boolean; readonly durations: readonly number[] }>> = {
  'wan2.1-t2v-turbo': { imageToVideo: false, durations: [5] },
  'wan2.1-t2v-plus': { imageToVideo: false, durations: [5] },
  'wan2.1-i2v-turbo': { imageToVideo: true, durations: [3, 4, 5] },
  'wan2.1-i2v-plus': { imageToVideo: true, durations: [5] },
};
const VIDEO_SIZES = ['1280*720', '720*1280', '960*960', '1088*832', '832*1088', '832*480', '480*832', '624*624'];
const EDIT_FUNCTIONS = ['stylization_all', 'stylization_local', 'description_edit', 'description_edit_with_mask', 'remove_watermark', 'expand', 'super_resolution', 'colorization', 'doodle', 'control_cartoon_feature'];

const STATUS_CODES: Readonly<Record<number, string>> = { 400: 'InvalidParameter', 401: 'InvalidApiKey', 403: 'AccessDenied', 404: 'NotFound', 429: 'Throttling', 500: 'InternalError', 503: 'ServiceUnavailable' };

const invalid = (message: string): SimError => ({ status: 400, message, code: 'InvalidParameter' });

/** The native API's auth and error shape, over the compatible flavor's. */
const nativeFlavor = (flavor: Flavor): Flavor => ({
  ...flavor,
  authorize: (req, expected) => {
    const key = bearer(req);
    return key && (expected === undefined || key === expected) ? undefined : { status: 401, message: 'Invalid API-key provided.', code: 'InvalidApiKey' };
  },
  renderError: (error, requestId) => ({ request_id: requestId, code: error.code ?? STATUS_CODES[error.status] ?? 'InternalError', message: error.message }),
  contentFilterError: () => ({ status: 400, message: 'Input data may contain inappropriate content.', code: 'DataInspectionFailed' }),
});

interface ImageTask {
  readonly id: string;
  readonly images: readonly Uint8Array[];
  /** Video tasks: the clip and its length. */
  readonly video?: { readonly bytes: Uint8Array; readonly seconds: number; readonly ratio: string };
  readonly failure?: { readonly code: string; readonly message: string };
  readonly submitted: string;
  polls: number;
}

const tasks = (deps: MediaDeps): Map<string, ImageTask> => simState(deps.files, 'dashscope-tasks', () => new Map<string, ImageTask>());

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

const count = (parameters: Record<string, unknown>): number => {
  const n = parameters['n'] ?? 4;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 4) return throwSimError(invalid('n must be an integer between 1 and 4.'));
  return n;
};

/** `W*H`, each side 512–1440 (Wan 2.x text-to-image). */
const pixelSize = (value: unknown): { width: number; height: number } => {
  const match = typeof value === 'string' ? /^(\d+)\*(\d+)$/.exec(value) : value === undefined ? ['', '1024', '1024'] : null;
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || [width, height].some((side) => !(side >= 512 && side <= 1440))) return throwSimError(invalid(`The size is invalid: ${String(value)}. Width and height must each be between 512 and 1440, written as width*height.`));
  return { width, height };
};

/** A data URL (or bare base64) image; a remote URL is accepted without fetching and drawn at 1024². */
const imageInput = (value: unknown, field: string): { width: number; height: number } => {
  if (typeof value !== 'string' || value === '') return throwSimError(invalid(`${field} is required.`));
  if (/^https?:\/\//.test(value)) return { width: 1024, height: 1024 };
  const bytes = new Uint8Array(Buffer.from(value.replace(/^data:[^,]*;base64,/, ''), 'base64'));
  if (sniffMedia(bytes)?.kind !== 'image') return throwSimError(invalid(`${field} could not be downloaded or decoded as an image.`));
  return readPngSize(bytes) ?? { width: 1024, height: 1024 };
};

const createTask = (deps: MediaDeps, prompt: string, n: number, size: { width: number; height: number }, video?: ImageTask['video']): ImageTask => {
  const id = randomUUID();
  const blocked = prompt.includes('SIM_BLOCK_PROMPT');
  const task: ImageTask = {
    id,
    images: blocked || video ? [] : Array.from({ length: n }, (_, index) => pictureFor(`${prompt}#${index}`, size.width, size.height)),
    ...(video && !blocked ? { video } : {}),
    ...(blocked ? { failure: { code: 'DataInspectionFailed', message: 'Output data may contain inappropriate content.' } } : {}),
    submitted: new Date().toISOString().replace('T', ' ').slice(0, 23),
    polls: 0,
  };
  tasks(deps).set(id, task);
  return task;
};

const taskView = (task: ImageTask, origin: string, deps: MediaDeps): Record<string, unknown> => {
  task.polls += 1;
  const base = { task_id: task.id, submit_time: task.submitted };
  // The first check finds the task running; the next finds it done, as a short real task would be.
  if (task.polls === 1) return { output: { ...base, task_status: 'RUNNING' } };
  if (task.failure) return { output: { ...base, task_status: 'FAILED', ...task.failure } };
  if (task.video) {
    return {
      output: { ...base, task_status: 'SUCCEEDED', end_time: new Date().toISOString().replace('T', ' ').slice(0, 23), video_url: `${origin}/api/v1/sim-videos/${task.id}.mp4`, orig_prompt: '' },
      usage: { video_duration: task.video.seconds, video_ratio: task.video.ratio, video_count: 1 },
    };
  }
  const results = task.images.map((image) => ({ url: deps.files.add(origin, Buffer.from(image)) }));
  return {
    output: { ...base, task_status: 'SUCCEEDED', end_time: new Date().toISOString().replace('T', ' ').slice(0, 23), results, task_metrics: { TOTAL: results.length, SUCCEEDED: results.length, FAILED: 0 } },
    usage: { image_count: results.length },
  };
};

/** A Wan video task's checks, the clip rendered at a thumbnail size of its aspect ratio. */
const videoTaskFor = (deps: MediaDeps, model: string, prompt: string, input: Record<string, unknown>, parameters: Record<string, unknown>): ImageTask => {
  const rule = VIDEO_MODELS[model] ?? throwSimError({ status: 400, message: 'Model not exist.', code: 'InvalidParameter' });
  if (prompt.trim() === '' && !rule.imageToVideo) return throwSimError(invalid('input.prompt is required.'));
  let ratio: string;
  if (rule.imageToVideo) {
    const frame = imageInput(input['img_url'], 'input.img_url');
    const tier = parameters['resolution'] ?? '720P';
    if (tier !== '480P' && tier !== '720P') return throwSimError(invalid('parameters.resolution must be 480P or 720P.'));
    ratio = `${frame.width}x${frame.height}`;
  } else {
    const size = parameters['size'] ?? '1280*720';
    if (typeof size !== 'string' || !VIDEO_SIZES.includes(size)) return throwSimError(invalid(`parameters.size must be one of ${VIDEO_SIZES.join(', ')}.`));
    ratio = size.replace('*', 'x');
  }
  const seconds = parameters['duration'] ?? 5;
  if (typeof seconds !== 'number' || !rule.durations.includes(seconds)) return throwSimError(invalid(`parameters.duration must be one of ${rule.durations.join(', ')} for ${model}.`));
  return createTask(deps, prompt, 1, { width: 0, height: 0 }, { bytes: makeMp4({ ...thumbnailSize(ratio), seconds }), seconds, ratio });
};

export const matchesAlibabaMedia = (url: URL): boolean =>
  url.pathname === EMBEDDINGS || url.pathname === TEXT_TO_IMAGE || url.pathname === IMAGE_TO_IMAGE || url.pathname === VIDEO_SYNTHESIS || TASKS.test(url.pathname) || VIDEOS.test(url.pathname);

export const handleAlibabaMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> => {
  const download = VIDEOS.exec(url.pathname);
  if (download) {
    // Signed OSS links need no key: the URL is the capability.
    return runRoute(req, res, url, deps, ({ context }) => {
      const video = tasks(deps).get(decodeURIComponent(download[1]!))?.video;
      if (!video || req.method !== 'GET') return throwSimError({ status: 404, message: 'The specified key does not exist.', code: 'NoSuchKey' });
      context.res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': video.bytes.byteLength });
      context.res.end(Buffer.from(video.bytes));
    }, { public: true, flavor: nativeFlavor(deps.flavor) });
  }
  if (url.pathname === EMBEDDINGS) {
    return runRoute(req, res, url, deps, ({ context, body }) => {
      const json = jsonObject(body, () => ({ status: 400, message: 'Request body is not valid JSON.', type: 'invalid_request_error' }));
      deps.record(json);
      const unknown = (model: string): SimError => ({ status: 404, message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' });
      sendJson(context.res, 200, { ...openAIEmbeddings(json, EMBEDDING_MODELS, unknown), id: deps.requestId });
    }, { faultText: jsonFaultText });
  }
  const flavor = nativeFlavor(deps.flavor);
  return runRoute(
    req,
    res,
    url,
    deps,
    ({ context, body }) => {
      const status = TASKS.exec(url.pathname);
      if (status) {
        if (req.method !== 'GET') return throwSimError({ status: 405, message: 'Method not allowed.', code: 'MethodNotAllowed' });
        deps.record({ task_id: status[1] });
        const task = tasks(deps).get(decodeURIComponent(status[1] ?? ''));
        if (!task) return sendJson(context.res, 200, { request_id: deps.requestId, output: { task_id: status[1], task_status: 'UNKNOWN' } });
        return sendJson(context.res, 200, { request_id: deps.requestId, ...taskView(task, context.origin, deps) });
      }
      if (req.method !== 'POST') return throwSimError({ status: 405, message: 'Method not allowed.', code: 'MethodNotAllowed' });
      const json = jsonObject(body, () => invalid('Request body is not valid JSON.'));
      deps.record(json);
      if (req.headers['x-dashscope-async'] !== 'enable') return throwSimError({ status: 403, message: 'current user api does not support synchronous calls', code: 'AccessDenied' });
      const model = typeof json['model'] === 'string' ? json['model'] : throwSimError(invalid('Model not specified.'));
      const input = record(json['input']);
      const parameters = record(json['parameters']);
      const prompt = typeof input['prompt'] === 'string' ? input['prompt'] : '';
      let task: ImageTask;
      if (url.pathname === VIDEO_SYNTHESIS) {
        task = videoTaskFor(deps, model, prompt, input, parameters);
      } else if (url.pathname === TEXT_TO_IMAGE) {
        if (!TEXT_TO_IMAGE_MODEL.test(model)) return throwSimError({ status: 400, message: 'Model not exist.', code: 'InvalidParameter' });
        if (prompt.trim() === '') return throwSimError(invalid('input.prompt is required.'));
        task = createTask(deps, prompt, count(parameters), pixelSize(parameters['size']));
      } else {
        if (!EDIT_MODELS.includes(model)) return throwSimError({ status: 400, message: 'Model not exist.', code: 'InvalidParameter' });
        const fn = input['function'];
        if (typeof fn !== 'string' || !EDIT_FUNCTIONS.includes(fn)) return throwSimError(invalid(`input.function must be one of ${EDIT_FUNCTIONS.join(', ')}.`));
        if (prompt.trim() === '') return throwSimError(invalid('input.prompt is required.'));
        const size = imageInput(input['base_image_url'], 'input.base_image_url');
        if (fn === 'description_edit_with_mask') imageInput(input['mask_image_url'], 'input.mask_image_url');
        task = createTask(deps, prompt, count(parameters), size);
      }
      return sendJson(context.res, 200, { request_id: deps.requestId, output: { task_id: task.id, task_status: 'PENDING' } });
    },
    { flavor, faultText: (body) => jsonFaultText(body) },
  );
};
