/**
 * Hugging Face media through the Inference Providers router: feature extraction (embeddings) and text-to-image,
 * on the partner that serves the model (see `partners.ts`): `hf-inference` pipelines, Nebius (OpenAI-shaped),
 * fal. `transport.baseURL` is the text one (`https://router.huggingface.co/v1`); partner routes live on the same
 * host without `/v1`.
 */
import { sniffMedia } from '../../../../shared/media/formats/sniff.ts';
import { contentTypeOf, decodeBase64, describedErrors, fetchResult, readBytes, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { parseSize, requireImageCount, textInputs, unsupportedOperation } from '../../media-input.ts';
import type { EmbeddingRequest, EmbeddingResult, ImageRequest, ImageResult, MediaAdapter, MediaFile } from '../../media-types.ts';
import { bearerAuth } from '../../openai-compatible/profile.ts';
import { createOpenAIMediaAdapter } from '../../openai/media/adapter.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { huggingfaceProfile } from '../profile.ts';
import { fromFeatureExtraction } from './embeddings.ts';
import { describeHfError } from './errors.ts';
import { catalogPartner, resolveHfRoute, type HfRoute, type PartnerResolver } from './partners.ts';
import { falImagesSchema, featureExtractionSchema, nebiusImagesSchema } from './wire.ts';

export const HF_ROUTER_URL = huggingfaceProfile.defaultBaseURL!;
const MAX_IMAGES = 4;

export interface HuggingFaceMediaDependencies {
  /** Which partner serves a model (default: the catalog's `hfInferenceProvider`). */
  readonly partnerOf?: PartnerResolver;
}

/** The router's origin: the OpenAI-compatible base URL without its `/v1`. */
export const routerOrigin = (baseURL: string): string => baseURL.replace(/\/v1\/?$/, '').replace(/\/+$/, '');

const hubPath = (id: string): string => id.split('/').map(encodeURIComponent).join('/');

export const createHuggingFaceMediaAdapter = (transport: ProviderTransport, dependencies: HuggingFaceMediaDependencies = {}): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'hugging face', transport, toError: describedErrors('hugging face', describeHfError) };
  const partnerOf = dependencies.partnerOf ?? catalogPartner;
  const origin = (): string => routerOrigin(requireBaseURL(transport, 'hugging face', HF_ROUTER_URL));
  const openAIShaped = (partner: string) =>
    createOpenAIMediaAdapter(
      { ...transport, baseURL: `${origin()}/${partner}/v1` },
      { provider: 'hugging face', defaultBaseURL: undefined, endpointURL: ({ baseURL, path }) => `${baseURL}/${path}`, authHeaders: bearerAuth },
    );

  const post = async (path: string, body: unknown, options: CallOptions): Promise<Response> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, `${origin()}${path}`, { headers: { ...bearerAuth(key), 'content-type': 'application/json' }, body: JSON.stringify(body) }, options, [key]);
  };

  const embed = async (request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult> => {
    const texts = textInputs(request, 'hugging face');
    const route = resolveHfRoute(request.model, partnerOf);
    if (route.partner === 'nebius') return openAIShaped('nebius').embed!({ ...request, model: route.providerModelId }, options);
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
      case 'nebius': {
        const body = { model: route.providerModelId, prompt: request.prompt, response_format: 'b64_json', width, height, ...(seed !== undefined ? { seed } : {}), ...(steps !== undefined ? { num_inference_steps: steps } : {}) };
        const answer = await readJsonAs(await post('/nebius/v1/images/generations', body, options), nebiusImagesSchema, 'hugging face');
        return Promise.all(answer.data.map(async (item) => (item.b64_json ? asImage(decodeBase64(item.b64_json).data) : asImage((await fetchResult(endpoint, item.url ?? '', options)).data))));
      }
      case 'fal-ai': {
        const body = { prompt: request.prompt, image_size: { width, height }, num_images: 1, sync_mode: true, ...(seed !== undefined ? { seed } : {}), ...(steps !== undefined ? { num_inference_steps: steps } : {}) };
        const answer = await readJsonAs(await post(`/fal-ai/${hubPath(route.providerModelId)}`, body, options), falImagesSchema, 'hugging face');
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
    const route = resolveHfRoute(request.model, partnerOf);
    const batches = await Promise.all(Array.from({ length: count }, (_, index) => oneImage(request, route, index, options)));
    return { images: batches.flat() };
  };

  return { provider: 'hugging face', embed, generateImage };
};
