/**
 * Cloudflare Workers AI media through the REST API (`{base}/accounts/{account_id}/ai/run/{model}`, Bearer token):
 * embeddings (bge), images (FLUX.1 [schnell] answers base64 JSON, Stable Diffusion models raw PNG — one call per
 * image), speech (MeloTTS base64 MP3, Deepgram Aura-1 raw audio), transcription (Whisper and Nova-3 take raw
 * audio, Whisper large-v3-turbo base64 JSON) and image classification (ResNet-50). Transport as for text:
 * `baseURL` `https://api.cloudflare.com/client/v4`, `options.accountId`.
 */
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { MEDIA_LIMITS } from '../../../core/media/limits.ts';
import { contentTypeOf, decodeBase64, encodeBase64, mapLimited, readBytes, readJsonAs, requireBaseURL, requireTransportOption, sendMedia, type MediaEndpoint } from '../../http/media-call.ts';
import { bytesOf, rawFileBody } from '../../http/streamed-body.ts';
import { chunk, estimateTokens, parseSize, requireImageCount, textInputs, unsupportedOperation } from '../../media-input.ts';
import type { EmbeddingRequest, ImageRequest, MediaAdapter, MediaFile, MediaInput, SpeechRequest, TranscriptionRequest, VisionRequest } from '../../media-types.ts';
import { upstreamErrorFromResponse } from '../../openai-compatible/error-parsing.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { cloudflareProfile } from '../profile.ts';
import { imageFamily, MAX_EMBEDDING_TEXTS, speechFamily, transcriptionFamily } from './models.ts';
import { auraInput, melottsInput } from './speech.ts';
import { fromNova, fromWhisper, fromWhisperTurbo } from './transcribe.ts';
import { classificationResultSchema, embeddingsResultSchema, imageResultSchema, melottsResultSchema, novaResultSchema, whisperResultSchema, whisperTurboResultSchema } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

export const CLOUDFLARE_BASE_URL = cloudflareProfile.defaultBaseURL!;
const MAX_IMAGES = 4;

/** `@cf/vendor/name`: each segment is a path segment; `@` stays as is (as Cloudflare's own examples write it). */
const modelPath = (model: string): string => model.split('/').map((segment) => encodeURIComponent(segment).replace(/^%40/, '@')).join('/');

export const createCloudflareMediaAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = {
    provider: 'cloudflare',
    transport,
    toError: (response, secrets) => upstreamErrorFromResponse(response, { provider: 'cloudflare', knownSecrets: secrets }),
  };

  const url = (model: string): string =>
    `${requireBaseURL(transport, 'cloudflare', CLOUDFLARE_BASE_URL)}/accounts/${encodeURIComponent(requireTransportOption(transport, 'accountId', 'cloudflare'))}/ai/run/${modelPath(model)}`;

  /** Runs a model on a JSON input. */
  const run = async (model: string, body: Record<string, unknown>, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, url(model), { headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }, options, [key]);
  };

  /** Runs a model on raw bytes (audio for Whisper and Nova-3, an image for classification); a large upload is streamed. */
  const runBytes = async (model: string, file: MediaInput, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, url(model), { headers: { authorization: `Bearer ${key}`, 'content-type': file.mediaType || 'application/octet-stream' }, body: rawFileBody(file) }, options, [key]);
  };

  const embed = async (request: EmbeddingRequest, options: CallOptions) => {
    const texts = textInputs(request, 'cloudflare');
    if (request.dimensions !== undefined) throw unsupportedOperation('cloudflare', 'choosing embedding dimensions', 'dimensions');
    const answers = await mapLimited(chunk(texts, MAX_EMBEDDING_TEXTS), 4, async (batch) => readJsonAs(await run(request.model, { text: batch }, options), embeddingsResultSchema, 'cloudflare'));
    // Workers AI reports no token counts for embeddings: estimated at about four characters a token.
    return { vectors: answers.flatMap((answer) => answer.result.data), inputTokens: estimateTokens(texts) };
  };

  const oneImage = async (request: ImageRequest, index: number, options: CallOptions): Promise<MediaFile> => {
    const seed = typeof request.extra?.['seed'] === 'number' ? { seed: (request.extra['seed'] as number) + index } : {};
    const steps = typeof request.extra?.['steps'] === 'number' ? { steps: request.extra['steps'] } : {};
    const family = imageFamily(request.model);
    // FLUX.1 [schnell] renders 1024×1024 and takes no size; Stable Diffusion takes width and height.
    const body = family === 'flux' ? { prompt: request.prompt, ...steps, ...seed } : { prompt: request.prompt, ...parseSize(request.size), ...seed };
    const response = await run(request.model, body, options);
    const data = contentTypeOf(response).startsWith('image/') ? await readBytes(response, 'cloudflare') : decodeBase64((await readJsonAs(response, imageResultSchema, 'cloudflare')).result.image).data;
    return { data, mediaType: sniffMedia(data)?.mediaType ?? 'image/png' };
  };

  const speak = async (request: SpeechRequest, options: CallOptions) => {
    const family = speechFamily(request.model);
    if (family === 'melotts') {
      const answer = await readJsonAs(await run(request.model, melottsInput(request), options), melottsResultSchema, 'cloudflare');
      const { data } = decodeBase64(answer.result.audio);
      return { audio: new Blob([data as Uint8Array<ArrayBuffer>]).stream(), mediaType: 'audio/mpeg' };
    }
    if (family === 'aura') {
      const { body, mediaType } = auraInput(request);
      const response = await run(request.model, body, options);
      return { audio: response.body ?? new Blob([]).stream(), mediaType };
    }
    throw unsupportedOperation('cloudflare', `speech with ${request.model}`, 'model');
  };

  const transcribe = async (request: TranscriptionRequest, options: CallOptions) => {
    switch (transcriptionFamily(request.model)) {
      case 'whisper':
        return fromWhisper(await readJsonAs(await runBytes(request.model, request.file, options), whisperResultSchema, 'cloudflare'), request);
      case 'whisper-turbo': {
        // Base64 inside JSON: the one transcription input that cannot be streamed, so the file is read, bounded.
        const audio = encodeBase64(await bytesOf(request.file, MEDIA_LIMITS.transcriptionFileBytes));
        const body = { audio, task: 'transcribe', ...(request.language ? { language: request.language } : {}), ...(request.prompt ? { initial_prompt: request.prompt } : {}) };
        return fromWhisperTurbo(await readJsonAs(await run(request.model, body, options), whisperTurboResultSchema, 'cloudflare'), request);
      }
      case 'nova':
        return fromNova(await readJsonAs(await runBytes(request.model, request.file, options), novaResultSchema, 'cloudflare'), request);
      default:
        throw unsupportedOperation('cloudflare', `transcription with ${request.model}`, 'model');
    }
  };

  const detect = async (request: VisionRequest, options: CallOptions) => {
    if (!('data' in request.image)) throw unsupportedOperation('cloudflare', 'classifying an image by URL (send the image itself)', 'image');
    const answer = await readJsonAs(await runBytes(request.model, request.image, options), classificationResultSchema, 'cloudflare');
    const threshold = request.confidence ?? 0;
    return { result: { predictions: answer.result.filter((item) => item.score >= threshold) } };
  };

  return {
    provider: 'cloudflare',
    embed,
    generateImage: async (request, options) => {
      const count = requireImageCount(request, 'cloudflare', MAX_IMAGES);
      const images = await Promise.all(Array.from({ length: count }, (_, index) => oneImage(request, index, options)));
      // FLUX.1 [schnell] on Workers AI renders 1024×1024 whatever was asked: say so rather than pass it silently.
      return { images, ...(imageFamily(request.model) === 'flux' ? { size: '1024x1024' } : {}) };
    },
    speak,
    transcribe,
    detect,
  };
};
