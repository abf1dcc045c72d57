/**
 * Deepgram: transcription with Nova (`/v1/listen`, raw audio, the duration Deepgram reports) and speech with
 * Aura (`/v1/speak`, audio streamed back as it is synthesized). Transport: `baseURL` (default
 * `https://api.deepgram.com`), the key sent as `Authorization: Token <key>`.
 */
import { bodyStream, describedErrors, readJsonAs, requireBaseURL, sendMedia, type MediaEndpoint } from '../http/media-call.ts';
import { rawFileBody, type StreamedBody } from '../http/streamed-body.ts';
import type { MediaAdapter, SpeechRequest, TranscriptionRequest } from '../media-types.ts';
import type { CallOptions, ProviderTransport } from '../types.ts';
import { describeDeepgramError } from './errors.ts';
import { fromListen, listenQuery } from './listen.ts';
import { speakRequest } from './speak.ts';
import { listenResponseSchema } from './wire.ts';
import { DEEPGRAM_BASE_URL } from '../media-endpoints.ts';
import type { ProviderResponse } from '../http/provider-response.ts';

export { DEEPGRAM_BASE_URL };

export const createDeepgramAdapter = (transport: ProviderTransport): MediaAdapter => {
  const endpoint: MediaEndpoint = { provider: 'deepgram', transport, toError: describedErrors('deepgram', describeDeepgramError) };
  const base = (): string => requireBaseURL(transport, 'deepgram', DEEPGRAM_BASE_URL);

  const post = async (path: string, query: URLSearchParams, contentType: string, body: string | Uint8Array | StreamedBody, options: CallOptions): Promise<ProviderResponse> => {
    const key = await transport.apiKey();
    return sendMedia(endpoint, `${base()}${path}?${query}`, { headers: { authorization: `Token ${key}`, 'content-type': contentType }, body }, options, [key]);
  };

  return {
    provider: 'deepgram',

    async transcribe(request: TranscriptionRequest, options: CallOptions) {
      // Raw audio: a large upload is streamed as the body.
      const response = await post('/v1/listen', listenQuery(request), request.file.mediaType || 'application/octet-stream', rawFileBody(request.file), options);
      return fromListen(await readJsonAs(response, listenResponseSchema, 'deepgram'), request);
    },

    async speak(request: SpeechRequest, options: CallOptions) {
      const { query, mediaType } = speakRequest(request);
      const response = await post('/v1/speak', query, 'application/json', JSON.stringify({ text: request.input }), options);
      return { audio: bodyStream(response), mediaType };
    },
  };
};
