/**
 * ElevenLabs: text-to-speech (the voice id in the path, the model as `model_id`, audio streamed back) and Scribe
 * speech-to-text (multipart upload). Transport: `baseURL` (default `https://api.elevenlabs.io`), the key sent as
 * `xi-api-key`.
 */
import { bodyStream, describedErrors, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../http/media-call.ts';
import type { MediaAdapter, SpeechRequest, TranscriptionRequest } from '../media-types.ts';
import type { CallOptions, ProviderTransport } from '../types.ts';
import { describeElevenLabsError } from './errors.ts';
import { ttsRequest } from './speech.ts';
import { fromSpeechToText, sttForm } from './transcribe.ts';
import { speechToTextResponseSchema } from './wire.ts';
import { ELEVENLABS_BASE_URL } from '../media-endpoints.ts';

export { ELEVENLABS_BASE_URL };

export const createElevenLabsAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'elevenlabs', transport, toError: describedErrors('elevenlabs', describeElevenLabsError) };
  const base = (): string => requireBaseURL(transport, 'elevenlabs', ELEVENLABS_BASE_URL);

  return {
    provider: 'elevenlabs',

    async speak(request: SpeechRequest, options: CallOptions) {
      const { path, query, body, mediaType } = ttsRequest(request);
      const key = await transport.apiKey();
      const headers = { 'xi-api-key': key, 'content-type': 'application/json', accept: mediaType };
      const response = await sendMedia(endpoint, `${base()}${path}?${query}`, { headers, body: JSON.stringify(body) }, options, [key]);
      return { audio: bodyStream(response), mediaType };
    },

    async transcribe(request: TranscriptionRequest, options: CallOptions) {
      const key = await transport.apiKey();
      const response = await sendMedia(endpoint, `${base()}/v1/speech-to-text`, { headers: { 'xi-api-key': key }, body: sttForm(request) }, options, [key]);
      return fromSpeechToText(await readJsonAs(response, speechToTextResponseSchema, 'elevenlabs'), request);
    },
  };
};
