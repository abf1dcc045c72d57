/**
 * Hugging Face media through the Inference Providers router: feature extraction (embeddings) and text-to-image,
 * on the partner that serves the model (see `partners.ts`), as @huggingface/inference 4.13 calls each: `hf-inference`
 * pipelines, DeepInfra's OpenAI-shaped embeddings, and fal's queue (submit, poll the status, read the result).
 * The partner's model id is read from the Hub at run time (`provider-mapping.ts`). `transport.baseURL` is the
 * text one (`https://router.huggingface.co/v1`); partner routes live on the same host without `/v1`; the Hub is
 * `options.hubURL`, else huggingface.co for the real router and the router's own origin for anything else (the
 * local simulator answers both).
 */
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { contentTypeOf, describedErrors, fetchResult, invalidAnswer, readBytes, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { sleep } from '../../http/sleep.ts';
import { parseSize, requireImageCount, textInputs, unsupportedOperation } from '../../media-input.ts';
import type { EmbeddingRequest, EmbeddingResult, ImageRequest, ImageResult, MediaAdapter, MediaFile } from '../../media-types.ts';
import { bearerAuth } from '../../openai-compatible/profile.ts';
import { createOpenAIMediaAdapter } from '../../openai/media/adapter.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { huggingfaceProfile } from '../profile.ts';
import { fromFeatureExtraction } from './embeddings.ts';
import { describeHfError } from './errors.ts';
import { resolveHfRoute, type HfRoute, type PartnerResolver } from './partners.ts';
import { createProviderMappingSource, HF_HUB_URL, type ProviderMappingSource } from './provider-mapping.ts';
import { falImagesSchema, falQueueSchema, falStatusSchema, featureExtractionSchema } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

export const HF_ROUTER_URL = huggingfaceProfile.defaultBaseURL!;
const MAX_IMAGES = 4;
/** The SDK polls fal's queue every 500 ms; the call's deadline (its signal) bounds the wait. */
const FAL_POLL_MS = 500;

export interface HuggingFaceMediaDependencies {
  /** Which partner serves a model (the gateway passes the catalog's `hfInferenceProvider`: shared/catalog/hf-partners.ts). */
  readonly partnerOf: PartnerResolver;
  /** Where partner ids come from (default: the Hub, through the transport's fetch). */
  readonly mapping?: ProviderMappingSource;
  readonly falPollMs?: number;
}

/** The router's origin: the OpenAI-compatible base URL without its `/v1`. */
export const routerOrigin = (baseURL: string): string => baseURL.replace(/\/v1\/?$/, '').replace(/\/+$/, '');

const hubPath = (id: string): string => id.split('/').map(encodeURIComponent).join('/');

export const createHuggingFaceMediaAdapter = (transport: ProviderTransport, dependencies: HuggingFaceMediaDependencies): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'hugging face', transport, toError: describedErrors('hugging face', describeHfError) };
  const partnerOf = dependencies.partnerOf;
  const mapping = dependencies.mapping ?? createProviderMappingSource(transport.fetch);
  const falPollMs = dependencies.falPollMs ?? FAL_POLL_MS;
  const origin = (): string => routerOrigin(requireBaseURL(transport, 'hugging face', HF_ROUTER_URL));
  const hub = (): string => transport.options?.['hubURL'] || (origin() === routerOrigin(HF_ROUTER_URL) ? HF_HUB_URL : origin());

  /** The route with the partner's current id (the Hub's word; `hf-inference` runs the Hub id itself). */
  const current = async (model: string, options: CallOptions): Promise<HfRoute> => {
    const route = resolveHfRoute(model, partnerOf);
    if (route.partner === 'hf-inference') return route;
    const hubId = model.replace(/:[a-z0-9-]+$/, '');
    return { ...route, providerModelId: await mapping.providerId(hub(), String(await transport.apiKey()), hubId, route.partner, route.providerModelId, options) };
  };
  const openAIShaped = (partner: string, prefix: string) =>
    createOpenAIMediaAdapter(
      { ...transport, baseURL: `${origin()}/${partner}${prefix}` },
      { provider: 'hugging face', defaultBaseURL: undefined, endpointURL: ({ baseURL, path }) => `${baseURL}/${path}`, authHeaders: bearerAuth },
    );

  const post = async (path: string, body: unknown, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, `${origin()}${path}`, { headers: { ...bearerAuth(key), 'content-type': 'application/json' }, body: JSON.stringify(body) }, options, [key]);
  };

  const get = async (path: string, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, `${origin()}${path}`, { method: 'GET', headers: bearerAuth(key) }, options, [key]);
  };

  /**
   * fal through the router is a queue: the submission answers a request id and its `response_url`, whose path
   * (under `/fal-ai` on the router) has the status at `/status` and the result itself.
   */
  const falQueued = async (providerModelId: string, body: Record<string, unknown>, options: CallOptions) => {
    const queue = '?_subdomain=queue';
    const submitted = await readJsonAs(await post(`/fal-ai/${hubPath(providerModelId)}${queue}`, body, options), falQueueSchema, 'hugging face');
    let path: string;
    try {
      path = new URL(submitted.response_url).pathname;
    } catch (error) {
      throw invalidAnswer('hugging face', 'a fal queue answer without a usable response_url', error);
    }
    for (let status = submitted.status ?? 'IN_QUEUE'; status !== 'COMPLETED'; ) {
      if (status !== 'IN_QUEUE' && status !== 'IN_PROGRESS') throw invalidAnswer('hugging face', `a fal job in state ${status}`);
      await sleep(falPollMs, options.signal);
      status = (await readJsonAs(await get(`/fal-ai${path}/status${queue}`, options), falStatusSchema, 'hugging face')).status;
    }
    return readJsonAs(await get(`/fal-ai${path}${queue}`, options), falImagesSchema, 'hugging face');
  };

  const embed = async (request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult> => {
    const texts = textInputs(request, 'hugging face');
    const route = await current(request.model, options);
    if (route.partner === 'deepinfra') return openAIShaped('deepinfra', '/v1/openai').embed!({ ...request, model: route.providerModelId }, options);
    if (route.partner !== 'hf-inference') throw unsupportedOperation('hugging face', `feature extraction through ${route.partner}`, 'model');
    if (request.dimensions !== undefined) throw unsupportedOperation('hugging face', 'choosing embedding dimensions on hf-inference', 'dimensions');
    const response = await post(`/hf-inference/models/${hubPath(route.providerModelId)}/pipeline/feature-extraction`, { inputs: texts, normalize: true }, options);
    return fromFeatureExtraction(await readJsonAs(response, featureExtractionSchema, 'hugging face'), texts);
  };

  const asImage = (data: Uint8Array, declared?: string): MediaFile => ({ data, mediaType: sniffMedia(data)?.mediaType ?? declared ?? 'image/png' });

  const oneImage = async (request: ImageRequest, route: HfRoute, index: number, options: CallOptions): Promise<MediaFile[]> => {
    const { width, height } = parseSize(request.size);
    const seed = typeof request.extra?.['seed'] === 'number' ? (request.extra['seed'] as number) + index : undefined;
    const steps = typeof request.extra?.['num_inference_steps'] === 'number' ? (request.extra['num_inference_steps'] as number) : undefined;
    switch (route.partner) {
      case 'hf-inference': {
        const parameters = { width, height, ...(seed !== undefined ? { seed } : {}), ...(steps !== undefined ? { num_inference_steps: steps } : {}) };
        const response = await post(`/hf-inference/models/${hubPath(route.providerModelId)}`, { inputs: request.prompt, parameters }, options);
        return [asImage(await readBytes(response, 'hugging face'), contentTypeOf(response))];
      }
      case 'fal-ai': {
        const body = { prompt: request.prompt, image_size: { width, height }, num_images: 1, ...(seed !== undefined ? { seed } : {}), ...(steps !== undefined ? { num_inference_steps: steps } : {}) };
        const answer = await falQueued(route.providerModelId, body, options);
        return Promise.all(answer.images.map(async (image) => {
          const fetched = await fetchResult(endpoint, image.url, options);
          return asImage(fetched.data, image.content_type ?? fetched.mediaType);
        }));
      }
      default:
        throw unsupportedOperation('hugging face', `text-to-image through ${route.partner}`, 'model');
    }
  };

  const generateImage = async (request: ImageRequest, options: CallOptions): Promise<ImageResult> => {
    const count = requireImageCount(request, 'hugging face', MAX_IMAGES);
    const route = await current(request.model, options);
    const batches = await Promise.all(Array.from({ length: count }, (_, index) => oneImage(request, route, index, options)));
    return { images: batches.flat() };
  };

  return { provider: 'hugging face', embed, generateImage };
};
