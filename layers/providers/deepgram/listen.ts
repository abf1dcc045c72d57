/**
 * Canonical transcription ↔ `/v1/listen`. Smart formatting is on (punctuation, numbers), utterances give the
 * segments, and without a language Deepgram detects it. Deepgram reports the audio's duration (`metadata.duration`),
 * which transcription is billed on. A `prompt` has no Deepgram equivalent and is not sent.
 */
import type { TranscriptionRequest, TranscriptionResult } from '../media-types.ts';
import type { ListenResponse } from './wire.ts';

export const listenQuery = (request: TranscriptionRequest): URLSearchParams =>
  new URLSearchParams({
    model: request.model,
    smart_format: 'true',
    utterances: 'true',
    ...(request.language ? { language: request.language } : { detect_language: 'true' }),
  });

export const fromListen = (answer: ListenResponse, request: TranscriptionRequest): TranscriptionResult => {
  const channel = answer.results.channels[0];
  const language = channel?.detected_language ?? request.language;
  const segments = answer.results.utterances?.map(({ start, end, transcript }) => ({ start, end, text: transcript }));
  return {
    text: channel?.alternatives[0]?.transcript ?? '',
    durationSeconds: answer.metadata.duration,
    ...(language ? { language } : {}),
    ...(segments ? { segments } : {}),
  };
};
