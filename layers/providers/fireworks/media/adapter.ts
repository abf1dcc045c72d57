/**
 * Fireworks media: FLUX.1 text-to-image workflows (image bytes back), FLUX.1 Kontext generation and edits
 * (an async request polled to its result URL), and embeddings (OpenAI's wire format, through the OpenAI media
 * adapter with Fireworks' base URL and bearer key). `transport.baseURL` is the text one,
 * `https://api.fireworks.ai/inference/v1`.
 */
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { MEDIA_LIMITS } from '../../../core/media/limits.ts';
import { fetchResult, pollUntilDone, readBytes, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint, type PollSettings } from '../../http/media-call.ts';
import { withImageBytes, type ImageRequestInMemory } from '../../http/streamed-body.ts';
import { requireImageCount, unsupportedOperation } from '../../media-input.ts';
import type { ImageRequest, ImageResult, MediaAdapter, MediaFile } from '../../media-types.ts';
import { upstreamErrorFromResponse } from '../../openai-compatible/error-parsing.ts';
import { bearerAuth } from '../../openai-compatible/profile.ts';
import { createOpenAIMediaAdapter } from '../../openai/media/adapter.ts';
import type { OpenAIMediaProfile } from '../../openai/media/profile.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { fireworksProfile } from '../profile.ts';
import { isKontext, kontextBody, kontextOutcome, MAX_FIREWORKS_IMAGES, textToImageBody } from './images.ts';
import { kontextResultSchema, kontextSubmitSchema } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

export const FIREWORKS_BASE_URL = fireworksProfile.defaultBaseURL!;

const fireworksMediaProfile: OpenAIMediaProfile = {
  provider: 'fireworks',
  defaultBaseURL: FIREWORKS_BASE_URL,
  endpointURL: ({ baseURL, path }) => `${baseURL}/${path}`,
  authHeaders: bearerAuth,
};

export interface FireworksMediaDependencies {
  /** How Kontext requests are polled (default: every second, for up to five minutes). */
  readonly poll?: PollSettings;
}

const DEFAULT_POLL: PollSettings = { intervalMs: 1_000, timeoutMs: 300_000 };

/** Model ids are `accounts/{account}/models/{name}`; each segment is a path segment of the workflow URL. */
const workflowPath = (model: string): string => model.split('/').map(encodeURIComponent).join('/');

export const createFireworksMediaAdapter = (transport: ProviderTransport, dependencies: FireworksMediaDependencies = {}): MediaAdapter => {
  const endpoint: MediaEndpoint = {
    provider: 'fireworks',
    transport,
    toError: (response, secrets) => upstreamErrorFromResponse(response, { provider: 'fireworks', knownSecrets: secrets }),
  };
  const poll = dependencies.poll ?? DEFAULT_POLL;
  const base = (): string => requireBaseURL(transport, 'fireworks', FIREWORKS_BASE_URL);
  const embeddings = createOpenAIMediaAdapter({ ...transport, baseURL: transport.baseURL || FIREWORKS_BASE_URL }, fireworksMediaProfile);

  const post = async (url: string, body: unknown, accept: string, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, url, { headers: { ...bearerAuth(key), 'content-type': 'application/json', accept }, body: JSON.stringify(body) }, options, [key]);
  };

  const textToImage = async (request: ImageRequest, index: number, options: CallOptions): Promise<MediaFile> => {
    const response = await post(`${base()}/workflows/${workflowPath(request.model)}/text_to_image`, textToImageBody(request, index), 'image/png', options);
    const data = await readBytes(response, 'fireworks');
    return { data, mediaType: sniffMedia(data)?.mediaType ?? 'image/png' };
  };

  const kontext = async (request: ImageRequestInMemory, index: number, edit: boolean, options: CallOptions): Promise<MediaFile> => {
    const url = `${base()}/workflows/${workflowPath(request.model)}`;
    const submitted = await readJsonAs(await post(url, kontextBody(request, index, edit), 'application/json', options), kontextSubmitSchema, 'fireworks');
    const sample = await pollUntilDone(
      'fireworks',
      async () => kontextOutcome(await readJsonAs(await post(`${url}/get_result`, { id: submitted.request_id }, 'application/json', options), kontextResultSchema, 'fireworks')),
      poll,
      options.signal,
    );
    const { data, mediaType } = await fetchResult(endpoint, sample, options);
    return { data, mediaType: sniffMedia(data)?.mediaType ?? mediaType ?? 'image/png' };
  };

  const images = async (request: ImageRequest, edit: boolean, options: CallOptions): Promise<ImageResult> => {
    const count = requireImageCount(request, 'fireworks', MAX_FIREWORKS_IMAGES);
    // Kontext takes its source image as base64: read once for all the seeds, bounded.
    const inMemory = isKontext(request.model) ? await withImageBytes(request, MEDIA_LIMITS.imageFileBytes) : undefined;
    const one = (index: number): Promise<MediaFile> => (inMemory ? kontext(inMemory, index, edit, options) : textToImage(request, index, options));
    return { images: await Promise.all(Array.from({ length: count }, (_, index) => one(index))) };
  };

  return {
    provider: 'fireworks',
    embed: (request, options) => embeddings.embed!(request, options),
    generateImage: (request, options) => images(request, false, options),
    editImage: async (request, options) => {
      if (!isKontext(request.model)) throw unsupportedOperation('fireworks', `image edits with ${request.model} (use a FLUX Kontext model)`, 'model');
      return images(request, true, options);
    },
  };
};
