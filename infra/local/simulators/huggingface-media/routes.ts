/**
 * The Hugging Face router's media routes on the huggingface flavor of the OpenAI-compatible simulator:
 * `hf-inference` pipelines (feature extraction, text-to-image bytes), Nebius' OpenAI-shaped embeddings and
 * images, and fal's FLUX endpoints. Hugging Face errors are `{error: "..."}`. See README.md.
 */
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
const NEBIUS_EMBEDDINGS = '/nebius/v1/embeddings';
const NEBIUS_IMAGES = '/nebius/v1/images/generations';
const FAL = /^\/fal-ai\/(.+)$/;

/** Sentence models (pooled) and one token-level model, as the pipeline answers for each. */
const FEATURE_MODELS: Readonly<Record<string, { readonly dimensions: number; readonly tokenLevel?: boolean }>> = {
  'sentence-transformers/all-MiniLM-L6-v2': { dimensions: 384 },
  'BAAI/bge-small-en-v1.5': { dimensions: 384 },
  'intfloat/multilingual-e5-large': { dimensions: 1024 },
  'google-bert/bert-base-uncased': { dimensions: 768, tokenLevel: true },
};
const TEXT_TO_IMAGE_MODELS = ['stabilityai/stable-diffusion-xl-base-1.0', 'black-forest-labs/FLUX.1-schnell', 'black-forest-labs/FLUX.1-dev'];
const NEBIUS_EMBEDDING_MODELS = { 'Qwen/Qwen3-Embedding-8B': { dimensions: 4096, shortenable: true, maxInputs: 256 }, 'BAAI/bge-en-icl': { dimensions: 4096, shortenable: false, maxInputs: 256 } };
const NEBIUS_IMAGE_MODELS = ['black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev'];
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

const answer = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, deps: MediaDeps, origin: string): void => {
  if (req.method !== 'POST') return throwSimError(hfError(405, 'Method Not Allowed'));
  const json = jsonObject(body, () => hfError(400, 'Invalid JSON body'));
  deps.record(json);
  const feature = FEATURE_EXTRACTION.exec(url.pathname);
  if (feature) return sendJson(res, 200, featureExtraction(json, decodeURIComponent(feature[1]!)));
  if (url.pathname === NEBIUS_EMBEDDINGS) return sendJson(res, 200, { ...openAIEmbeddings(json, NEBIUS_EMBEDDING_MODELS, notFound), id: `embd-${deps.requestId}` });
  if (url.pathname === NEBIUS_IMAGES) {
    const model = String(json['model'] ?? '');
    if (!NEBIUS_IMAGE_MODELS.includes(model)) return throwSimError(notFound(model));
    if (typeof json['prompt'] !== 'string' || json['prompt'] === '') return throwSimError({ status: 400, message: 'prompt is required', type: 'invalid_request_error' });
    const image = pictureFor(`${json['prompt']}#${String(json['seed'] ?? 0)}`, side(json['width'], 'width', 1024), side(json['height'], 'height', 1024));
    const data = json['response_format'] === 'b64_json' ? { b64_json: Buffer.from(image).toString('base64') } : { url: deps.files.add(origin, Buffer.from(image)) };
    return sendJson(res, 200, { id: deps.requestId, data: [data] });
  }
  const fal = FAL.exec(url.pathname);
  if (fal) {
    const model = decodeURIComponent(fal[1]!);
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
    return sendJson(res, 200, { images, timings: { inference: 0.2 }, seed, has_nsfw_concepts: images.map(() => false), prompt: json['prompt'] });
  }
  const model = decodeURIComponent(HF_INFERENCE_MODEL.exec(url.pathname)?.[1] ?? '');
  if (!TEXT_TO_IMAGE_MODELS.includes(model)) return throwSimError(notFound(model));
  if (typeof json['inputs'] !== 'string' || json['inputs'] === '') return throwSimError(hfError(400, 'Input should be a valid string'));
  const parameters = record(json['parameters']);
  const image = pictureFor(`${json['inputs']}#${String(parameters['seed'] ?? 0)}`, side(parameters['width'], 'width', 1024), side(parameters['height'], 'height', 1024));
  return sendBytes(res, 'image/png', Buffer.from(image));
};

export const matchesHuggingFaceMedia = (url: URL): boolean =>
  HF_INFERENCE_MODEL.test(url.pathname) || url.pathname === NEBIUS_EMBEDDINGS || url.pathname === NEBIUS_IMAGES || FAL.test(url.pathname);

export const handleHuggingFaceMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> =>
  runRoute(req, res, url, deps, ({ context, body }) => answer(req, context.res, url, body, deps, context.origin), {
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
