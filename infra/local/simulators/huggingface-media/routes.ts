/**
 * The Hugging Face router's media routes on the huggingface flavor of the OpenAI-compatible simulator:
 * `hf-inference` pipelines (feature extraction, text-to-image bytes), DeepInfra's OpenAI-shaped embeddings, fal's
 * FLUX apps (direct and through the queue the SDK uses), and the Hub's inference provider mapping. Hugging Face
 * errors are `{error: "..."}`. See README.md.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../openai-compatible/http-io.ts';
import type { SimError } from '../openai-compatible/sim-error.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { sendBytes } from '../openai-media/io.ts';
import { jsonFaultText, jsonObject, runRoute, throwSimError } from '../media-fixtures/compatible-route.ts';
import { embeddingFor, pictureFor } from '../media-fixtures/content.ts';
import { openAIEmbeddings } from '../media-fixtures/openai-embeddings.ts';

const FEATURE_EXTRACTION = /^\/hf-inference\/models\/(.+)\/pipeline\/feature-extraction$/;
const HF_INFERENCE_MODEL = /^\/hf-inference\/models\/(.+)$/;
const DEEPINFRA_EMBEDDINGS = '/deepinfra/v1/openai/embeddings';
const FAL_REQUEST = /^\/fal-ai\/(.+)\/requests\/([^/]+?)(\/status)?$/;
const FAL = /^\/fal-ai\/(.+)$/;
const HUB_MODEL = /^\/api\/models\/(.+)$/;
/** fal's queue host: `response_url` points there, and clients keep only its path. */
const FAL_QUEUE_ORIGIN = 'https://queue.fal.run';

/** The Hub's inference provider mapping (the record form), for the models the routes above serve. */
const HUB_MAPPINGS: Readonly<Record<string, Readonly<Record<string, { readonly providerId: string; readonly task: string }>>>> = {
  'black-forest-labs/FLUX.1-schnell': { 'fal-ai': { providerId: 'fal-ai/flux/schnell', task: 'text-to-image' }, 'hf-inference': { providerId: 'black-forest-labs/FLUX.1-schnell', task: 'text-to-image' } },
  'black-forest-labs/FLUX.1-dev': { 'fal-ai': { providerId: 'fal-ai/flux/dev', task: 'text-to-image' }, 'hf-inference': { providerId: 'black-forest-labs/FLUX.1-dev', task: 'text-to-image' } },
  'Qwen/Qwen3-Embedding-8B': { deepinfra: { providerId: 'Qwen/Qwen3-Embedding-8B', task: 'feature-extraction' }, scaleway: { providerId: 'qwen3-embedding-8b', task: 'feature-extraction' } },
  'sentence-transformers/all-MiniLM-L6-v2': { 'hf-inference': { providerId: 'sentence-transformers/all-MiniLM-L6-v2', task: 'feature-extraction' } },
};

/** Sentence models (pooled) and one token-level model, as the pipeline answers for each. */
const FEATURE_MODELS: Readonly<Record<string, { readonly dimensions: number; readonly tokenLevel?: boolean }>> = {
  'sentence-transformers/all-MiniLM-L6-v2': { dimensions: 384 },
  'BAAI/bge-small-en-v1.5': { dimensions: 384 },
  'intfloat/multilingual-e5-large': { dimensions: 1024 },
  'google-bert/bert-base-uncased': { dimensions: 768, tokenLevel: true },
};
const TEXT_TO_IMAGE_MODELS = ['stabilityai/stable-diffusion-xl-base-1.0', 'black-forest-labs/FLUX.1-schnell', 'black-forest-labs/FLUX.1-dev'];
const DEEPINFRA_EMBEDDING_MODELS = { 'Qwen/Qwen3-Embedding-8B': { dimensions: 4096, shortenable: true, maxInputs: 256 }, 'BAAI/bge-en-icl': { dimensions: 4096, shortenable: false, maxInputs: 256 } };
const FAL_MODELS = ['fal-ai/flux/schnell', 'fal-ai/flux/dev'];
const FAL_SIZES: Readonly<Record<string, readonly [number, number]>> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
};

const hfError = (status: number, message: string): SimError => ({ status, message });
const notFound = (model: string): SimError => hfError(404, `Model ${model} does not exist`);

const side = (value: unknown, name: string, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 64 || value > 2048) return throwSimError(hfError(400, `${name} must be an integer between 64 and 2048`));
  return value;
};

const record = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

const featureExtraction = (json: Record<string, unknown>, model: string): unknown => {
  const rule = FEATURE_MODELS[model] ?? throwSimError(notFound(model));
  const raw = json['inputs'];
  const inputs = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (inputs.length === 0 || inputs.some((input) => typeof input !== 'string' || input === '')) return throwSimError(hfError(400, 'Input should be a valid string or a list of strings'));
  const vectors = (inputs as string[]).map((text) =>
    rule.tokenLevel ? text.split(/\s+/).filter(Boolean).map((token) => embeddingFor(`${text}#${token}`, rule.dimensions)) : embeddingFor(text, rule.dimensions),
  );
  return typeof raw === 'string' ? vectors[0] : vectors;
};

/** Queued fal jobs by request id: IN_PROGRESS at the first status check, COMPLETED from the second. */
const falQueue = new Map<string, { readonly result: unknown; checks: number }>();

const falImages = (model: string, json: Record<string, unknown>, deps: MediaDeps, origin: string): unknown => {
  if (!FAL_MODELS.includes(model)) return throwSimError({ status: 404, message: `Application '${model}' not found` });
  if (typeof json['prompt'] !== 'string' || json['prompt'] === '') return throwSimError({ status: 422, message: 'prompt: Field required' });
  const size = json['image_size'] ?? 'landscape_4_3';
  const preset = typeof size === 'string' ? FAL_SIZES[size] : undefined;
  const [width, height] = preset ?? [side(record(size)['width'], 'image_size.width', 1024), side(record(size)['height'], 'image_size.height', 768)];
  const count = json['num_images'] ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 4) return throwSimError({ status: 422, message: 'num_images: must be between 1 and 4' });
  const seed = typeof json['seed'] === 'number' ? json['seed'] : 0;
  const images = Array.from({ length: count }, (_, index) => {
    const image = Buffer.from(pictureFor(`${json['prompt']}#${seed + index}`, width, height));
    // sync_mode inlines the image as a data URL instead of a CDN link.
    const location = json['sync_mode'] === true ? `data:image/png;base64,${image.toString('base64')}` : deps.files.add(origin, image);
    return { url: location, width, height, content_type: 'image/png' };
  });
  return { images, timings: { inference: 0.2 }, seed, has_nsfw_concepts: images.map(() => false), prompt: json['prompt'] };
};

/** GETs: a queued fal job's status or result, and the Hub's provider mapping. */
const answerGet = (res: ServerResponse, url: URL): void => {
  const hub = HUB_MODEL.exec(url.pathname);
  if (hub) {
    const id = decodeURIComponent(hub[1]!);
    const mapping = HUB_MAPPINGS[id] ?? (TEXT_TO_IMAGE_MODELS.includes(id) || id in FEATURE_MODELS ? { 'hf-inference': { providerId: id, task: id in FEATURE_MODELS ? 'feature-extraction' : 'text-to-image' } } : undefined);
    if (!mapping) return throwSimError(hfError(404, 'Repository not found'));
    const inferenceProviderMapping = Object.fromEntries(Object.entries(mapping).map(([partner, entry]) => [partner, { status: 'live', ...entry }]));
    return sendJson(res, 200, { _id: id, id, ...(url.searchParams.getAll('expand[]').includes('inferenceProviderMapping') ? { inferenceProviderMapping } : {}) });
  }
  const queued = FAL_REQUEST.exec(url.pathname);
  const job = queued ? falQueue.get(queued[2]!) : undefined;
  if (!queued || !job) return throwSimError(hfError(404, 'Request not found'));
  if (queued[3]) {
    job.checks += 1;
    return sendJson(res, 200, { status: job.checks > 1 ? 'COMPLETED' : 'IN_PROGRESS', request_id: queued[2], response_url: `${FAL_QUEUE_ORIGIN}/${queued[1]}/requests/${queued[2]}` });
  }
  if (job.checks < 2) return throwSimError(hfError(400, 'Request is still in progress'));
  falQueue.delete(queued[2]!);
  return sendJson(res, 200, job.result);
};

const answer = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, deps: MediaDeps, origin: string): void => {
  if (req.method === 'GET') {
    deps.record(undefined);
    return answerGet(res, url);
  }
  if (req.method !== 'POST') return throwSimError(hfError(405, 'Method Not Allowed'));
  const json = jsonObject(body, () => hfError(400, 'Invalid JSON body'));
  deps.record(json);
  const feature = FEATURE_EXTRACTION.exec(url.pathname);
  if (feature) return sendJson(res, 200, featureExtraction(json, decodeURIComponent(feature[1]!)));
  if (url.pathname === DEEPINFRA_EMBEDDINGS) return sendJson(res, 200, { ...openAIEmbeddings(json, DEEPINFRA_EMBEDDING_MODELS, notFound), id: `embd-${deps.requestId}` });
  const fal = FAL.exec(url.pathname);
  if (fal) {
    const model = decodeURIComponent(fal[1]!);
    const result = falImages(model, json, deps, origin);
    if (url.searchParams.get('_subdomain') !== 'queue') return sendJson(res, 200, result);
    // The queue: a request id now, the result once a status check has seen it complete.
    // Unique across simulators in one process: the job table is the module's.
    const id = `${deps.requestId.replace(/[^\w-]/g, '')}-${randomUUID().slice(0, 8)}`;
    const app = model.split('/').slice(0, 2).join('/');
    falQueue.set(id, { result, checks: 0 });
    // Jobs whose result is never read would pile up in a long `npm start`: keep the newest thousand.
    if (falQueue.size > 1000) falQueue.delete(falQueue.keys().next().value!);
    return sendJson(res, 200, { request_id: id, status: 'IN_QUEUE', queue_position: 0, response_url: `${FAL_QUEUE_ORIGIN}/${app}/requests/${id}`, status_url: `${FAL_QUEUE_ORIGIN}/${app}/requests/${id}/status`, cancel_url: `${FAL_QUEUE_ORIGIN}/${app}/requests/${id}/cancel` });
  }
  const model = decodeURIComponent(HF_INFERENCE_MODEL.exec(url.pathname)?.[1] ?? '');
  if (!TEXT_TO_IMAGE_MODELS.includes(model)) return throwSimError(notFound(model));
  if (typeof json['inputs'] !== 'string' || json['inputs'] === '') return throwSimError(hfError(400, 'Input should be a valid string'));
  const parameters = record(json['parameters']);
  const image = pictureFor(`${json['inputs']}#${String(parameters['seed'] ?? 0)}`, side(parameters['width'], 'width', 1024), side(parameters['height'], 'height', 1024));
  return sendBytes(res, 'image/png', Buffer.from(image));
};

export const matchesHuggingFaceMedia = (url: URL): boolean =>
  HF_INFERENCE_MODEL.test(url.pathname) || url.pathname === DEEPINFRA_EMBEDDINGS || FAL.test(url.pathname) || HUB_MODEL.test(url.pathname);

export const handleHuggingFaceMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> =>
  runRoute(req, res, url, deps, ({ context, body }) => answer(req, context.res, url, body, deps, context.origin), {
    // The Hub's model API is public; the router's routes take the bearer token.
    public: HUB_MODEL.test(url.pathname),
    faultText: (body) => {
      const text = jsonFaultText(body);
      try {
        const inputs = (JSON.parse(body.toString('utf8')) as { inputs?: unknown }).inputs;
        return [text, ...(typeof inputs === 'string' ? [inputs] : Array.isArray(inputs) ? inputs.filter((item) => typeof item === 'string') : [])].join(' ');
      } catch {
        return text;
      }
    },
  });
