/**
 * Transcription. Whisper is asked for `verbose_json` (language, duration, segments: what every client format
 * is built from); GPT-4o transcribe models only answer `json`, so their duration is read from the audio.
 */
import type * as z from 'zod';
import { audioDuration } from '../../../core/media/formats/duration.ts';
import { formWithFile, type StreamedBody } from '../../http/streamed-body.ts';
import type { TranscriptionRequest, TranscriptionResult } from '../../media-types.ts';
import type { transcriptionResponseSchema } from './wire.ts';

const verboseCapable = (model: string): boolean => /^whisper/.test(model);

/** OpenAI streams transcripts from its GPT-4o transcribe models; whisper-1 refuses `stream`. */
export const streamsTranscripts = (model: string): boolean => /^gpt-4o(-mini)?-transcribe/.test(model);

/** 128 kbit/s: a typical compressed upload, for the rare container whose length the bytes do not tell. */
const FALLBACK_BYTES_PER_SECOND = 16_000;

/** The multipart form OpenAI takes; a file too large to hold is streamed inside it. */
export const transcriptionForm = (request: TranscriptionRequest, stream = false): FormData | StreamedBody =>
  formWithFile(
    [
      ['model', request.model],
      ['response_format', verboseCapable(request.model) ? 'verbose_json' : 'json'],
      ...(stream ? ([['stream', 'true']] as const) : []),
      ...(request.language ? ([['language', request.language]] as const) : []),
      ...(request.prompt ? ([['prompt', request.prompt]] as const) : []),
    ],
    'file',
    request.file,
  );

/** Translations take the transcription form without `language` (the output is always English) or `stream`. */
export const translationForm = (request: TranscriptionRequest): FormData | StreamedBody =>
  formWithFile(
    [
      ['model', request.model],
      ['response_format', verboseCapable(request.model) ? 'verbose_json' : 'json'],
      ...(request.prompt ? ([['prompt', request.prompt]] as const) : []),
    ],
    'file',
    request.file,
  );

const durationOf = (wire: z.infer<typeof transcriptionResponseSchema>, request: TranscriptionRequest): number =>
  wire.duration ??
  (wire.usage?.type === 'duration' ? wire.usage.seconds : undefined) ??
  audioDuration(request.file.data)?.seconds ??
  request.file.data.byteLength / FALLBACK_BYTES_PER_SECOND;

export const toTranscriptionResult = (wire: z.infer<typeof transcriptionResponseSchema>, request: TranscriptionRequest, translated = false): TranscriptionResult => ({
  text: wire.text,
  durationSeconds: durationOf(wire, request),
  // A translation is English whatever the audio's language was.
  ...(translated ? { language: 'english' } : wire.language ? { language: wire.language } : request.language ? { language: request.language } : {}),
  ...(wire.segments ? { segments: wire.segments.map(({ start, end, text }) => ({ start, end, text })) } : {}),
});
