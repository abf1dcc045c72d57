/**
 * Canonical transcription ↔ ElevenLabs speech-to-text. Scribe reports words with timings but not the audio's
 * length: it is read from the audio itself (exact for WAV), else the last word's end. Words are grouped into
 * sentence segments. A `prompt` has no Scribe equivalent and is not sent.
 */
import { audioDuration } from '../../core/media/formats/duration.ts';
import { formWithFile, type StreamedBody } from '../http/streamed-body.ts';
import type { TranscriptionRequest, TranscriptionResult, TranscriptionSegment } from '../media-types.ts';
import type { SpeechToTextResponse } from './wire.ts';

/** The multipart form Scribe takes; a file too large to hold is streamed inside it. */
export const sttForm = (request: TranscriptionRequest): FormData | StreamedBody =>
  formWithFile(
    [['model_id', request.model], ['timestamps_granularity', 'word'], ...(request.language ? ([['language_code', request.language]] as const) : [])],
    'file',
    request.file,
  );

const sentences = (words: NonNullable<SpeechToTextResponse['words']>): TranscriptionSegment[] => {
  const segments: TranscriptionSegment[] = [];
  let current: { start: number; end: number; text: string } | undefined;
  for (const word of words) {
    if (word.type === 'audio_event') continue;
    if (word.start == null || word.end == null) continue;
    current ??= { start: word.start, end: word.end, text: '' };
    current.text += word.text;
    current.end = word.end;
    if (word.type !== 'spacing' && /[.!?]$/.test(word.text)) {
      segments.push({ start: current.start, end: current.end, text: current.text.trim() });
      current = undefined;
    }
  }
  if (current && current.text.trim() !== '') segments.push({ start: current.start, end: current.end, text: current.text.trim() });
  return segments;
};

export const fromSpeechToText = (answer: SpeechToTextResponse, request: TranscriptionRequest): TranscriptionResult => {
  const words = answer.words ?? [];
  const lastEnd = words.reduce((end, word) => Math.max(end, word.end ?? 0), 0);
  const language = answer.language_code ?? request.language;
  const segments = sentences(words);
  return {
    text: answer.text,
    durationSeconds: audioDuration(request.file.data)?.seconds ?? lastEnd,
    ...(language ? { language } : {}),
    ...(segments.length > 0 ? { segments } : {}),
  };
};
