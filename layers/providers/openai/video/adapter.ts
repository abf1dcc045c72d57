/**
 * OpenAI's video jobs (Sora) behind `MediaAdapter.submitVideo` / `pollVideo`: `POST /videos` as multipart (as
 * the official SDK sends it), `GET /videos/{id}` for status, and `GET /videos/{id}/content` as the download,
 * which needs the same bearer key: it is returned as a header for the worker's download, never stored.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { fetchWithRetry } from '../../http/fetch-with-retry.ts';
import { sanitizeUpstreamMessage } from '../../http/sanitize.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import type { MediaAdapter, VideoJobState } from '../../media-types.ts';
import { upstreamErrorFromResponse } from '../../openai-compatible/error-parsing.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { openAIVideoSize } from './size.ts';
import { openAIVideoSchema, type OpenAIVideo } from './wire.ts';

/** An error body that is not JSON is read like one that does not match the schema: the status alone decides. */
const notJson = (): undefined => undefined;

export type VideoJobAdapter = Required<Pick<MediaAdapter, 'submitVideo' | 'pollVideo'>>;

const join = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

export const createOpenAIVideoAdapter = (transport: ProviderTransport): VideoJobAdapter => {
  const call = async (method: 'GET' | 'POST', path: string, options: CallOptions, body?: FormData): Promise<OpenAIVideo> => {
    const key = await transport.apiKey();
    const response = await fetchWithRetry(
      join(transport.baseURL, path),
      { method, headers: { authorization: `Bearer ${key}`, accept: 'application/json', 'x-request-id': options.requestId }, ...(body ? { body } : {}) },
      {
        signal: options.signal,
        ...(transport.fetch ? { fetch: transport.fetch } : {}),
        ...(transport.timeoutMs ? { timeoutMs: transport.timeoutMs } : {}),
        ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
      },
    );
    if (!response.ok) throw await upstreamErrorFromResponse(response, { provider: 'openai', knownSecrets: [key] });
    const parsed = openAIVideoSchema.safeParse(await response.json().catch(notJson));
    if (!parsed.success) throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The provider returned a malformed video object.');
    return parsed.data;
  };

  return {
    submitVideo: async (request, options) => {
      const form = new FormData();
      form.set('model', request.model);
      form.set('prompt', request.prompt);
      form.set('seconds', String(request.durationSeconds));
      form.set('size', openAIVideoSize(request.resolution, request.aspectRatio ?? '16:9'));
      const video = await call('POST', 'videos', options, form);
      return { operationId: video.id };
    },

    pollVideo: async (operationId, options): Promise<VideoJobState> => {
      const video = await call('GET', `videos/${encodeURIComponent(operationId)}`, options);
      switch (video.status) {
        case 'queued':
        case 'in_progress':
          return { status: video.status, ...(typeof video.progress === 'number' ? { progress: video.progress } : {}) };
        case 'completed':
          return {
            status: 'completed',
            videoUrl: join(transport.baseURL, `videos/${encodeURIComponent(operationId)}/content`),
            headers: { authorization: `Bearer ${await transport.apiKey()}`, accept: 'application/binary' },
          };
        case 'failed':
          return {
            status: 'failed',
            error: {
              code: video.error?.code ?? 'video_generation_failed',
              message: sanitizeUpstreamMessage(video.error?.message ?? 'The provider could not generate the video.'),
            },
          };
      }
    },
  };
};
