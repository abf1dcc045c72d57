/**
 * Gemini API media: embeddings through `models/{model}:batchEmbedContents` and images through the Gemini image
 * models' `models/{model}:generateContent`, the key in `x-goog-api-key`. `transport.baseURL` includes the version
 * (`https://generativelanguage.googleapis.com/v1beta`), as for text. Imagen (`:predict`) and Veo
 * (`:predictLongRunning`) are not served here: @google/genai 3.6 refuses `generateImages` and `generateVideos` on
 * the Gemini API ("only supported by the Gemini Enterprise Agent Platform"), so both are served through Vertex AI.
 */
import { mapLimited, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { chunk, textInputs } from '../../media-input.ts';
import type { EmbeddingRequest, ImageRequest, ImageResult, MediaAdapter } from '../../media-types.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { upstreamErrorFromResponse } from '../errors.ts';
import { GEMINI_BASE_URL } from '../base-url.ts';
import { bareModel, buildBatchEmbedRequest, embeddingResultFrom, MAX_BATCH_EMBED_REQUESTS } from './embeddings.ts';
import { InvalidRequestError } from '../../../core/errors.ts';
import { MEDIA_LIMITS } from '../../../core/media/limits.ts';
import { withImageBytes } from '../../http/streamed-body.ts';
import { buildNativeImageRequest, isGeminiImageModel, nativeImageFrom, nativeImageResponseSchema } from './native-image.ts';
import { batchEmbedContentsResponseSchema } from './wire.ts';
import { readErrorText, type ProviderResponse } from '../../http/provider-response.ts';

/** Google errors (and RetryInfo, and API_KEY_INVALID told apart from a 400) are read by the text adapter's parser. */
export const googleErrors =
  (provider: 'gemini' | 'vertex') =>
  async (response: ProviderResponse, secrets: readonly string[]) =>
    upstreamErrorFromResponse(provider, response.status, await readErrorText(response).catch(() => ''), secrets);

export const createGeminiMediaAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'gemini', transport, toError: googleErrors('gemini') };
  const modelUrl = (model: string, method: string): string =>
    `${requireBaseURL(transport, 'gemini', GEMINI_BASE_URL)}/models/${encodeURIComponent(bareModel(model))}:${method}`;

  const postJson = async (url: string, body: unknown, options: CallOptions): Promise<ProviderResponse> => {
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
  };
};
