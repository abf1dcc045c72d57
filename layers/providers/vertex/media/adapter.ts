/**
 * Vertex AI media: text embeddings and Imagen through the publisher model's `:predict` (Gemini embedding models
 * through `:embedContent`), and Veo video jobs
 * through `:predictLongRunning` / `:fetchPredictOperation`, authorized with OAuth2 tokens minted from the
 * service-account key (as the text adapter does). Transport as for text: `apiKey()`
 * is the service-account JSON; `options.project`, `options.location` (default `global`; Imagen and the
 * embedding models are regional, e.g. `us-central1`), `options.tokenUrl`; `baseURL` overrides the host.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { buildImagenRequest, imageResultFrom } from '../../gemini/media/imagen.ts';
import { googleErrors } from '../../gemini/media/adapter.ts';
import { buildVeoRequest, failedVeoState, startedOperationSchema, vertexVideoOperationSchema } from '../../gemini/media/veo.ts';
import { imagenPredictResponseSchema } from '../../gemini/media/wire.ts';
import { invalidAnswer, mapLimited, readJsonAs, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { chunk, textInputs } from '../../media-input.ts';
import type { EmbeddingRequest, ImageRequest, MediaAdapter, VideoJobState, VideoRequest } from '../../media-types.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { createAccessTokenSource, GOOGLE_TOKEN_URL } from '../access-token.ts';
import { DEFAULT_VERTEX_LOCATION, vertexBaseURL } from '../endpoint.ts';
import { parseServiceAccount } from '../service-account.ts';
import { buildVertexEmbedContentRequest, buildVertexEmbedRequest, instancesPerRequest, usesEmbedContent, vertexEmbedContentResultFrom, vertexEmbeddingResultFrom } from './embeddings.ts';
import { vertexEmbedContentResponseSchema, vertexEmbedResponseSchema } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

export interface VertexMediaDependencies {
  readonly now?: () => number;
}

const modelId = (model: string): string => model.replace(/^(?:publishers\/google\/)?models\//, '');

/** `{host}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}`. */
export const vertexPublisherUrl = (baseURL: string, project: string, location: string, model: string, method: string): string =>
  `${baseURL.replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(project)}/locations/${encodeURIComponent(location)}` +
  `/publishers/google/models/${encodeURIComponent(modelId(model))}:${method}`;

/** `projects/{p}/locations/{l}/publishers/google/models/{model}/operations/{id}` → its parts. */
const OPERATION_NAME = /^projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/]+)\/operations\/[^/]+$/;

/** A Cloud Storage object's JSON API media download (needs the same bearer token). */
export const gcsDownloadUrl = (gcsUri: string): string | undefined => {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(gcsUri);
  return match ? `https://storage.googleapis.com/download/storage/v1/b/${encodeURIComponent(match[1]!)}/o/${encodeURIComponent(match[2]!)}?alt=media` : undefined;
};

const isAuthFailure = (error: unknown): boolean => error instanceof UpstreamError && error.details?.['upstream_status'] === 401;

export const createVertexMediaAdapter = (transport: ProviderTransport, dependencies: VertexMediaDependencies = {}): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'vertex', transport, toError: googleErrors('vertex') };
  const tokens = createAccessTokenSource({
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
    ...(dependencies.now ? { now: dependencies.now } : {}),
    ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
  });
  const location = transport.options?.['location'] || DEFAULT_VERTEX_LOCATION;

  const url = async (model: string, method: string): Promise<string> => {
    const project = transport.options?.['project'] || parseServiceAccount(String(await transport.apiKey())).project_id;
    if (!project) throw new UpstreamError(502, UPSTREAM_CODES.notConfigured, 'The Vertex provider has no project configured.');
    return vertexPublisherUrl(transport.baseURL || vertexBaseURL(location), project, location, model, method);
  };

  const accessToken = async (): Promise<string> => {
    const key = parseServiceAccount(String(await transport.apiKey()));
    return tokens.token(key, transport.options?.['tokenUrl'] || key.token_uri || GOOGLE_TOKEN_URL);
  };

  /** POSTs JSON with a fresh bearer token; a 401 forgets cached tokens and is tried once more. */
  const postJson = async (target: string, body: unknown, options: CallOptions): Promise<ProviderResponse> => {
    for (let reauthorized = false; ; reauthorized = true) {
      const token = await accessToken();
      try {
        return await sendMedia(endpoint, target, { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }, options, [token]);
      } catch (error) {
        if (reauthorized || !isAuthFailure(error)) throw error;
        tokens.invalidate();
      }
    }
  };

  return {
    provider: 'vertex',

    async embed(request: EmbeddingRequest, options: CallOptions) {
      const texts = textInputs(request, 'vertex');
      if (usesEmbedContent(request.model)) {
        const target = await url(request.model, 'embedContent');
        const answers = await mapLimited(texts, 4, async (text) =>
          readJsonAs(await postJson(target, buildVertexEmbedContentRequest(request, text), options), vertexEmbedContentResponseSchema, 'vertex'),
        );
        return vertexEmbedContentResultFrom(texts, answers);
      }
      const target = await url(request.model, 'predict');
      const answers = await mapLimited(chunk(texts, instancesPerRequest(request.model)), 4, async (batch) =>
        readJsonAs(await postJson(target, buildVertexEmbedRequest(request, batch), options), vertexEmbedResponseSchema, 'vertex'),
      );
      return vertexEmbeddingResultFrom(texts, answers);
    },

    async generateImage(request: ImageRequest, options: CallOptions) {
      const body = buildImagenRequest(request, 'vertex');
      const answer = await readJsonAs(await postJson(await url(request.model, 'predict'), body, options), imagenPredictResponseSchema, 'vertex');
      return imageResultFrom(answer, 'vertex');
    },

    async submitVideo(request: VideoRequest, options: CallOptions) {
      const body = buildVeoRequest(request, { sampleCount: true });
      const started = await readJsonAs(await postJson(await url(request.model, 'predictLongRunning'), body, options), startedOperationSchema, 'vertex');
      return { operationId: started.name };
    },

    /**
     * The operation id is its resource name, which names the model to ask. Without an output bucket Vertex
     * returns the video inline (handed to the worker as a data URL); a Cloud Storage URI is downloaded with the
     * same bearer token.
     */
    async pollVideo(operationId: string, options: CallOptions): Promise<VideoJobState> {
      const match = OPERATION_NAME.exec(operationId);
      if (!match) throw invalidAnswer('vertex', 'an operation name the gateway cannot poll');
      const [, project = '', operationLocation = '', model = ''] = match;
      const target = vertexPublisherUrl(transport.baseURL || vertexBaseURL(operationLocation), decodeURIComponent(project), decodeURIComponent(operationLocation), decodeURIComponent(model), 'fetchPredictOperation');
      const operation = await readJsonAs(await postJson(target, { operationName: operationId }, options), vertexVideoOperationSchema, 'vertex');
      if (!operation.done) return { status: 'in_progress' };
      const failed = failedVeoState(operation.error, operation.response?.raiMediaFilteredCount, operation.response?.raiMediaFilteredReasons);
      if (failed) return failed;
      const video = operation.response?.videos?.find((item) => item.bytesBase64Encoded || item.gcsUri);
      if (video?.bytesBase64Encoded) return { status: 'completed', videoUrl: `data:${video.mimeType ?? 'video/mp4'};base64,${video.bytesBase64Encoded}` };
      const download = video?.gcsUri ? gcsDownloadUrl(video.gcsUri) : undefined;
      if (!download) throw invalidAnswer('vertex', 'a finished video operation without a video');
      return { status: 'completed', videoUrl: download, headers: { authorization: `Bearer ${await accessToken()}` } };
    },
  };
};
