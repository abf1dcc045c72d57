/**
 * Gemini API media: embeddings through `models/{model}:batchEmbedContents`, images through the Gemini image models'
 * `models/{model}:generateContent` (Imagen's `:predict` is deprecated on the Gemini API per @google/genai, so
 * Imagen is served through Vertex AI only), and Veo video jobs through `models/{model}:predictLongRunning` (polled at `GET /v1beta/{operation}`), the key in
 * `x-goog-api-key`. `transport.baseURL` includes the version (`https://generativelanguage.googleapis.com/v1beta`),
 * as for text.
 */
import { invalidAnswer, mapLimited, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { chunk, textInputs } from '../../media-input.ts';
import type { EmbeddingRequest, ImageRequest, ImageResult, MediaAdapter, VideoJobState, VideoRequest } from '../../media-types.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { upstreamErrorFromResponse } from '../errors.ts';
import { GEMINI_BASE_URL } from '../model.ts';
import { bareModel, buildBatchEmbedRequest, embeddingResultFrom, MAX_BATCH_EMBED_REQUESTS } from './embeddings.ts';
import { InvalidRequestError } from '../../../../shared/errors.ts';
import { MEDIA_LIMITS } from '../../../../shared/media/upload/limits.ts';
import { withImageBytes } from '../../http/streamed-body.ts';
import { buildNativeImageRequest, isGeminiImageModel, nativeImageFrom, nativeImageResponseSchema } from './native-image.ts';
import { buildVeoRequest, failedVeoState, geminiVideoOperationSchema, startedOperationSchema } from './veo.ts';
import { batchEmbedContentsResponseSchema } from './wire.ts';

/** Google errors (and RetryInfo, and API_KEY_INVALID told apart from a 400) are read by the text adapter's parser. */
export const googleErrors =
  (provider: 'gemini' | 'vertex') =>
  async (response: Response, secrets: readonly string[]) =>
    upstreamErrorFromResponse(provider, response.status, await response.text().catch(() => ''), secrets);

export const createGeminiMediaAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'gemini', transport, toError: googleErrors('gemini') };
  const modelUrl = (model: string, method: string): string =>
    `${requireBaseURL(transport, 'gemini', GEMINI_BASE_URL)}/models/${encodeURIComponent(bareModel(model))}:${method}`;

  const postJson = async (url: string, body: unknown, options: CallOptions): Promise<Response> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, url, { headers: { 'content-type': 'application/json', 'x-goog-api-key': key }, body: JSON.stringify(body) }, options, [key]);
  };

  /** `n` images as `n` generateContent calls (a Gemini image model renders one per answer). */
  const nativeImages = async (request: ImageRequest, options: CallOptions): Promise<ImageResult> => {
    if (!isGeminiImageModel(request.model)) {
      throw new InvalidRequestError('unsupported_model', `${request.model} is not a Gemini image model; Imagen is served through Vertex AI.`, { param: 'model' });
    }
    // Source images travel inline in the JSON body, so an uploaded one is read into memory (bounded).
    const { body, calls } = buildNativeImageRequest(await withImageBytes(request, MEDIA_LIMITS.imageFileBytes), 'gemini');
    const url = modelUrl(request.model, 'generateContent');
    const images = await mapLimited(Array.from({ length: calls }), 4, async () =>
      nativeImageFrom(await readJsonAs(await postJson(url, body, options), nativeImageResponseSchema, 'gemini'), 'gemini'),
    );
    return { images };
  };

  return {
    provider: 'gemini',

    async embed(request: EmbeddingRequest, options: CallOptions) {
      const texts = textInputs(request, 'gemini');
      const url = modelUrl(request.model, 'batchEmbedContents');
      const answers = await mapLimited(chunk(texts, MAX_BATCH_EMBED_REQUESTS), 4, async (batch) =>
        readJsonAs(await postJson(url, buildBatchEmbedRequest(request, batch), options), batchEmbedContentsResponseSchema, 'gemini'),
      );
      return embeddingResultFrom(texts, answers);
    },

    generateImage: (request: ImageRequest, options: CallOptions) => nativeImages(request, options),
    editImage: (request: ImageRequest, options: CallOptions) => nativeImages(request, options),

    async submitVideo(request: VideoRequest, options: CallOptions) {
      const started = await readJsonAs(await postJson(modelUrl(request.model, 'predictLongRunning'), buildVeoRequest(request), options), startedOperationSchema, 'gemini');
      return { operationId: started.name };
    },

    /** The operation id is its resource name (`models/{model}/operations/{id}`); the video downloads with the key. */
    async pollVideo(operationId: string, options: CallOptions): Promise<VideoJobState> {
      if (!/^models\/[^/]+\/operations\/[^/]+$/.test(operationId)) throw invalidAnswer('gemini', 'an operation name the gateway cannot poll');
      const key = await transport.apiKey();
      const base = requireBaseURL(transport, 'gemini', GEMINI_BASE_URL);
      const url = `${base}/${operationId.split('/').map(encodeURIComponent).join('/')}`;
      const operation = await readJsonAs(await sendMedia(endpoint, url, { method: 'GET', headers: { 'x-goog-api-key': key } }, options, [key]), geminiVideoOperationSchema, 'gemini');
      if (!operation.done) return { status: 'in_progress' };
      const result = operation.response?.generateVideoResponse;
      const failed = failedVeoState(operation.error, result?.raiMediaFilteredCount, result?.raiMediaFilteredReasons);
      if (failed) return failed;
      const uri = result?.generatedSamples?.find((sample) => sample.video?.uri)?.video?.uri;
      if (!uri) throw invalidAnswer('gemini', 'a finished video operation without a video');
      // The download needs the key; it is only ever sent to the API's own host.
      const sameHost = new URL(uri, base).origin === new URL(base).origin;
      return { status: 'completed', videoUrl: uri, ...(sameHost ? { headers: { 'x-goog-api-key': key } } : {}) };
    },
  };
};
