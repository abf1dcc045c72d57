/**
 * Cartesia: Sonic text-to-speech (`/tts/bytes`, the audio streamed back) and Ink batch speech-to-text (`/stt`).
 * Transport: `baseURL` (default `https://api.cartesia.ai`); the key goes in `Authorization: Bearer`, with `Cartesia-Version`.
 */
import { bodyStream, describedErrors, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../http/media-call.ts';
import type { MediaAdapter, SpeechRequest, TranscriptionRequest } from '../media-types.ts';
import type { CallOptions, ProviderTransport } from '../types.ts';
import { describeCartesiaError } from './errors.ts';
import { ttsBytesRequest } from './speech.ts';
import { fromStt, sttForm } from './transcribe.ts';
import { CARTESIA_VERSION, sttResponseSchema } from './wire.ts';
import { CARTESIA_BASE_URL } from '../media-endpoints.ts';

export { CARTESIA_BASE_URL };

export const createCartesiaAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'cartesia', transport, toError: describedErrors('cartesia', describeCartesiaError) };
  const base = (): string => requireBaseURL(transport, 'cartesia', CARTESIA_BASE_URL);
  const headers = async (): Promise<{ key: string; headers: Record<string, string> }> => {
    const key = await transport.apiKey();
    return { key, headers: { authorization: `Bearer ${key}`, 'cartesia-version': CARTESIA_VERSION } };
  };

  return {
    provider: 'cartesia',

    async speak(request: SpeechRequest, options: CallOptions) {
      const { body, mediaType } = ttsBytesRequest(request);
      const auth = await headers();
      const response = await sendMedia(endpoint, `${base()}/tts/bytes`, { headers: { ...auth.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) }, options, [auth.key]);
      return { audio: bodyStream(response), mediaType };
    },

    async transcribe(request: TranscriptionRequest, options: CallOptions) {
      const auth = await headers();
      const response = await sendMedia(endpoint, `${base()}/stt`, { headers: auth.headers, body: sttForm(request) }, options, [auth.key]);
      return fromStt(await readJsonAs(response, sttResponseSchema, 'cartesia'), request);
    },
  };
};
