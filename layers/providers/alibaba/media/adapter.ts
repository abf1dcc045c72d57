/**
 * Alibaba Cloud Model Studio (DashScope) media: embeddings through the OpenAI-compatible mode (at most ten
 * inputs per call, so larger inputs are split), Wan image generation and editing as native async tasks —
 * created with `X-DashScope-Async: enable`, polled at `/api/v1/tasks/{id}`, their result URLs downloaded — and
 * Wan video as video jobs on the same task API (`submitVideo` creates the task, `pollVideo` reads it).
 * `transport.baseURL` is the compatible-mode one (`https://dashscope-intl.aliyuncs.com/compatible-mode/v1`);
 * the native API lives on the same host.
 */
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { MEDIA_LIMITS } from '../../../core/media/limits.ts';
import { describedErrors, fetchResult, mapLimited, pollUntilDone, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint, type PollSettings } from '../../http/media-call.ts';
import { withImageBytes } from '../../http/streamed-body.ts';
import type { EmbeddingRequest, EmbeddingResult, ImageRequest, ImageResult, MediaAdapter, VideoJobState, VideoRequest } from '../../media-types.ts';
import { bearerAuth } from '../../openai-compatible/profile.ts';
import { createOpenAIMediaAdapter } from '../../openai/media/adapter.ts';
import type { OpenAIMediaProfile } from '../../openai/media/profile.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { alibabaProfile } from '../profile.ts';
import { chunk } from '../../media-input.ts';
import { describeDashscopeError } from './errors.ts';
import { IMAGE_TO_IMAGE_PATH, imageEditTask, taskOutcome, TEXT_TO_IMAGE_PATH, textToImageTask } from './images.ts';
import { VIDEO_SYNTHESIS_PATH, videoState, videoTask } from './video.ts';
import { taskCreatedSchema, taskStatusSchema, type ImageSynthesisRequest } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

export const DASHSCOPE_BASE_URL = alibabaProfile.defaultBaseURL!;
const MAX_EMBEDDING_INPUTS = 10;
const DEFAULT_POLL: PollSettings = { intervalMs: 2_000, timeoutMs: 300_000 };

export interface AlibabaMediaDependencies {
  readonly poll?: PollSettings;
}

/** The native API's origin: the compatible-mode base URL without its `/compatible-mode/v1` path. */
export const dashscopeOrigin = (baseURL: string): string => baseURL.replace(/\/compatible-mode\/v1\/?$/, '').replace(/\/+$/, '');

const compatibleProfile: OpenAIMediaProfile = {
  provider: 'alibaba',
  defaultBaseURL: DASHSCOPE_BASE_URL,
  endpointURL: ({ baseURL, path }) => `${baseURL}/${path}`,
  authHeaders: bearerAuth,
};

export const createAlibabaMediaAdapter = (transport: ProviderTransport, dependencies: AlibabaMediaDependencies = {}): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'alibaba', transport, toError: describedErrors('alibaba', describeDashscopeError) };
  const poll = dependencies.poll ?? DEFAULT_POLL;
  const compatible = createOpenAIMediaAdapter({ ...transport, baseURL: transport.baseURL || DASHSCOPE_BASE_URL }, compatibleProfile);
  const origin = (): string => dashscopeOrigin(requireBaseURL(transport, 'alibaba', DASHSCOPE_BASE_URL));

  const call = async (method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    const headers: Record<string, string> = { ...bearerAuth(key), ...(method === 'POST' ? { 'content-type': 'application/json', 'x-dashscope-async': 'enable' } : {}) };
    return sendMedia(endpoint, `${origin()}${path}`, { method, headers, ...(method === 'POST' ? { body: JSON.stringify(body) } : {}) }, options, [key]);
  };

  const createTask = async (path: string, task: unknown, options: CallOptions): Promise<string> =>
    (await readJsonAs(await call('POST', path, task, options), taskCreatedSchema, 'alibaba')).output.task_id;

  const readTask = async (taskId: string, options: CallOptions) =>
    readJsonAs(await call('GET', `/api/v1/tasks/${encodeURIComponent(taskId)}`, undefined, options), taskStatusSchema, 'alibaba');

  const runTask = async (path: string, task: ImageSynthesisRequest, options: CallOptions): Promise<ImageResult> => {
    const taskId = await createTask(path, task, options);
    const urls = await pollUntilDone('alibaba', async () => taskOutcome(await readTask(taskId, options)), poll, options.signal);
    const images = await Promise.all(
      urls.map(async (url) => {
        const { data, mediaType } = await fetchResult(endpoint, url, options);
        return { data, mediaType: sniffMedia(data)?.mediaType ?? mediaType ?? 'image/png' };
      }),
    );
    return { images };
  };

  /** DashScope embeds at most ten inputs per call: larger requests are split and their usage summed. */
  const embed = async (request: EmbeddingRequest, options: CallOptions): Promise<EmbeddingResult> => {
    const parts = await mapLimited(chunk(request.input, MAX_EMBEDDING_INPUTS), 4, (input) => compatible.embed!({ ...request, input }, options));
    return { vectors: parts.flatMap((part) => part.vectors), inputTokens: parts.reduce((sum, part) => sum + part.inputTokens, 0) };
  };

  return {
    provider: 'alibaba',
    embed,
    generateImage: async (request: ImageRequest, options: CallOptions) => runTask(TEXT_TO_IMAGE_PATH, textToImageTask(request), options),
    editImage: async (request: ImageRequest, options: CallOptions) =>
      runTask(IMAGE_TO_IMAGE_PATH, imageEditTask(await withImageBytes(request, MEDIA_LIMITS.imageFileBytes)), options),
    submitVideo: async (request: VideoRequest, options: CallOptions) => ({ operationId: await createTask(VIDEO_SYNTHESIS_PATH, videoTask(request), options) }),
    pollVideo: async (operationId: string, options: CallOptions): Promise<VideoJobState> => videoState(await readTask(operationId, options)),
  };
};
