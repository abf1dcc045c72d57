/**
 * Canonical transcription ↔ Cartesia's batch `/stt`: word timestamps are asked for and grouped into sentence
 * segments; Cartesia reports the audio's duration (read from the audio when it does not).
 */
import { audioDuration } from '../../core/media/formats/duration.ts';
import { formWithFile, type StreamedBody } from '../http/streamed-body.ts';
import type { TranscriptionRequest, TranscriptionResult, TranscriptionSegment } from '../media-types.ts';
import type { SttResponse } from './wire.ts';

/** The multipart form `/stt` takes; a file too large to hold is streamed inside it. */
export const sttForm = (request: TranscriptionRequest): FormData | StreamedBody =>
  formWithFile(
    [['model', request.model], ['timestamp_granularities[]', 'word'], ...(request.language ? ([['language', request.language]] as const) : [])],
    'file',
    request.file,
  );

const sentences = (words: NonNullable<SttResponse['words']>): TranscriptionSegment[] => {
  const segments: TranscriptionSegment[] = [];
  let current: { start: number; end: number; text: string[] } | undefined;
  for (const word of words) {
    current ??= { start: word.start, end: word.end, text: [] };
    current.text.push(word.word.trim());
    current.end = word.end;
    if (/[.!?]$/.test(word.word.trim())) {
      segments.push({ start: current.start, end: current.end, text: current.text.join(' ') });
      current = undefined;
    }
  }
  if (current) segments.push({ start: current.start, end: current.end, text: current.text.join(' ') });
  return segments;
};

export const fromStt = (answer: SttResponse, request: TranscriptionRequest): TranscriptionResult => {
  const words = answer.words ?? [];
  const language = answer.language ?? request.language;
  return {
    text: answer.text,
    durationSeconds: answer.duration ?? audioDuration(request.file.data)?.seconds ?? words.at(-1)?.end ?? 0,
    ...(language ? { language } : {}),
    ...(words.length > 0 ? { segments: sentences(words) } : {}),
  };
};
