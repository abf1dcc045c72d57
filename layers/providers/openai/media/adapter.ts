/**
 * OpenAI's media endpoints behind the provider-neutral `MediaAdapter`: embeddings, image generation and edits,
 * speech and transcription. Parameterised by a profile, so Azure OpenAI deployments reuse it unchanged.
 */
import { decodeSse, parseJsonEvents } from '../../../core/sse/decode.ts';
import { completedImageEvents } from '../../image-events.ts';
import type {
  ImageRequest,
  ImageResult,
  ImageStreamEvent,
  MediaAdapter,
  ModerationRequest,
  ModerationResult,
  TranscriptionRequest,
  TranscriptionResult,
  TranscriptStreamEvent,
} from '../../media-types.ts';
import { finishedTranscriptEvents } from '../../transcript-events.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { embeddingsBody, toEmbeddingResult } from './embed.ts';
import { createImageStreamStage } from './image-stream.ts';
import { editForm, generationBody, isGptImageModel, streamFields, toImageResult } from './images.ts';
import { openaiMediaProfile, type OpenAIMediaProfile } from './profile.ts';
import { readWire } from './read-json.ts';
import { createMediaSender } from './send.ts';
import { speechBody, speechMediaType } from './speech.ts';
import { createTranscriptStreamStage } from './transcript-stream.ts';
import { streamsTranscripts, toTranscriptionResult, transcriptionForm, translationForm } from './transcribe.ts';
import { embeddingsResponseSchema, imagesResponseSchema, moderationResponseSchema, transcriptionResponseSchema } from './wire.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

const isEventStream = (response: ProviderResponse): boolean => /^text\/event-stream/i.test(response.headers.get('content-type') ?? '');

export const createOpenAIMediaAdapter = (transport: ProviderTransport, profile: OpenAIMediaProfile = openaiMediaProfile): MediaAdapter => {
  const sender = createMediaSender(profile, transport);

  const generateImage = async (request: ImageRequest, options: CallOptions): Promise<ImageResult> => {
    const { response } = await sender.post('images/generations', request.model, generationBody(request), options);
    return toImageResult(await readWire(response, imagesResponseSchema, 'image'), transport, options);
  };

  const editImage = async (request: ImageRequest, options: CallOptions): Promise<ImageResult> => {
    const { response } = await sender.post('images/edits', request.model, editForm(request), options);
    return toImageResult(await readWire(response, imagesResponseSchema, 'image edit'), transport, options);
  };

  /** Provider bytes → SSE events → parsed JSON → canonical image events. Only GPT Image models stream. */
  const streamImages =
    (path: 'images/generations' | 'images/edits', once: typeof generateImage) =>
    async (request: ImageRequest, options: CallOptions): Promise<AsyncIterable<ImageStreamEvent>> => {
      if (!isGptImageModel(request.model)) return completedImageEvents(await once(request, options));
      const body = path === 'images/edits' ? editForm(request, streamFields(request)) : { ...generationBody(request), ...streamFields(request) };
      const { response, context } = await sender.post(path, request.model, body, options);
      // A deployment (or proxy) that answers the whole image at once is served as its finished images.
      if (!isEventStream(response) || response.body === null) {
        return completedImageEvents(await toImageResult(await readWire(response, imagesResponseSchema, 'image'), transport, options));
      }
      return decodeSse(response.body).pipeThrough(parseJsonEvents<unknown>()).pipeThrough(createImageStreamStage(context));
    };

  const transcribe = async (request: TranscriptionRequest, options: CallOptions): Promise<TranscriptionResult> => {
    const { response } = await sender.post('audio/transcriptions', request.model, transcriptionForm(request), options);
    return toTranscriptionResult(await readWire(response, transcriptionResponseSchema, 'transcription'), request);
  };

  /** Provider bytes → SSE events → parsed JSON → canonical transcript events. Whisper is served whole. */
  const streamTranscription = async (request: TranscriptionRequest, options: CallOptions): Promise<AsyncIterable<TranscriptStreamEvent>> => {
    if (!streamsTranscripts(request.model)) return finishedTranscriptEvents(await transcribe(request, options));
    const { response, context } = await sender.post('audio/transcriptions', request.model, transcriptionForm(request, true), options);
    if (!isEventStream(response) || response.body === null) {
      return finishedTranscriptEvents(toTranscriptionResult(await readWire(response, transcriptionResponseSchema, 'transcription'), request));
    }
    return decodeSse(response.body).pipeThrough(parseJsonEvents<unknown>()).pipeThrough(createTranscriptStreamStage(request, context));
  };

  return {
    provider: profile.provider,

    embed: async (request, options) => {
      const { response } = await sender.post('embeddings', request.model, embeddingsBody(request), options);
      return toEmbeddingResult(await readWire(response, embeddingsResponseSchema, 'embeddings'));
    },

    generateImage,
    editImage,
    streamImageGeneration: streamImages('images/generations', generateImage),
    streamImageEdit: streamImages('images/edits', editImage),

    speak: async (request, options) => {
      const { response } = await sender.post('audio/speech', request.model, speechBody(request), options);
      return { audio: response.body ?? new Blob([]).stream(), mediaType: speechMediaType(request.format, response.headers.get('content-type')) };
    },

    transcribe,
    streamTranscription,

    translate: async (request, options) => {
      const { response } = await sender.post('audio/translations', request.model, translationForm(request), options);
      return toTranscriptionResult(await readWire(response, transcriptionResponseSchema, 'translation'), request, true);
    },

    // OpenAI's moderation endpoint; Azure OpenAI has none (its content filters run inside each call).
    ...(profile.provider === 'openai'
      ? {
          moderate: async (request: ModerationRequest, options: CallOptions): Promise<ModerationResult> => {
            const { response } = await sender.post('moderations', request.model, { model: request.model, input: request.input }, options);
            return readWire(response, moderationResponseSchema, 'moderation');
          },
        }
      : {}),
  };
};
