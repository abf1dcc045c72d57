/**
 * OpenAI's media endpoints behind the provider-neutral `MediaAdapter`: embeddings, image generation and edits,
 * speech and transcription. Parameterised by a profile, so Azure OpenAI deployments reuse it unchanged.
 */
import type { MediaAdapter } from '../../media-types.ts';
import type { ProviderTransport } from '../../types.ts';
import { embeddingsBody, toEmbeddingResult } from './embed.ts';
import { editForm, generationBody, toImageResult } from './images.ts';
import { openaiMediaProfile, type OpenAIMediaProfile } from './profile.ts';
import { readWire } from './read-json.ts';
import { createMediaSender } from './send.ts';
import { speechBody, speechMediaType } from './speech.ts';
import { toTranscriptionResult, transcriptionForm } from './transcribe.ts';
import { embeddingsResponseSchema, imagesResponseSchema, transcriptionResponseSchema } from './wire.ts';

export const createOpenAIMediaAdapter = (transport: ProviderTransport, profile: OpenAIMediaProfile = openaiMediaProfile): MediaAdapter => {
  const sender = createMediaSender(profile, transport);
  return {
    provider: profile.provider,

    embed: async (request, options) => {
      const { response } = await sender.post('embeddings', request.model, embeddingsBody(request), options);
      return toEmbeddingResult(await readWire(response, embeddingsResponseSchema, 'embeddings'));
    },

    generateImage: async (request, options) => {
      const { response } = await sender.post('images/generations', request.model, generationBody(request), options);
      return toImageResult(await readWire(response, imagesResponseSchema, 'image'), transport, options);
    },

    editImage: async (request, options) => {
      const { response } = await sender.post('images/edits', request.model, editForm(request), options);
      return toImageResult(await readWire(response, imagesResponseSchema, 'image edit'), transport, options);
    },

    speak: async (request, options) => {
      const { response } = await sender.post('audio/speech', request.model, speechBody(request), options);
      return { audio: response.body ?? new Blob([]).stream(), mediaType: speechMediaType(request.format, response.headers.get('content-type')) };
    },

    transcribe: async (request, options) => {
      const { response } = await sender.post('audio/transcriptions', request.model, transcriptionForm(request), options);
      return toTranscriptionResult(await readWire(response, transcriptionResponseSchema, 'transcription'), request);
    },
  };
};
