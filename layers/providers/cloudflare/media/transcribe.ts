/**
 * Workers AI transcription answers → the canonical result. Whisper and Nova-3 take the raw audio bytes; Whisper
 * large-v3-turbo takes base64 JSON and reports the audio's duration. Where the answer carries no duration it
 * is read from the audio itself, else the last word's end.
 */
import type * as z from 'zod';
import { audioDuration } from '../../../core/media/formats/duration.ts';
import type { TranscriptionRequest, TranscriptionResult } from '../../media-types.ts';
import type { novaResultSchema, whisperResultSchema, whisperTurboResultSchema } from './wire.ts';

const measured = (request: TranscriptionRequest, lastWordEnd: number | undefined): number => audioDuration(request.file.data)?.seconds ?? lastWordEnd ?? 0;

const language = (request: TranscriptionRequest, reported: string | undefined): { language?: string } =>
  reported ? { language: reported } : request.language ? { language: request.language } : {};

export const fromWhisper = (answer: z.infer<typeof whisperResultSchema>, request: TranscriptionRequest): TranscriptionResult => {
  const ends = (answer.result.words ?? []).flatMap((word) => (word.end === undefined ? [] : [word.end]));
  return { text: answer.result.text, durationSeconds: measured(request, ends.length > 0 ? Math.max(...ends) : undefined), ...language(request, undefined) };
};

export const fromWhisperTurbo = (answer: z.infer<typeof whisperTurboResultSchema>, request: TranscriptionRequest): TranscriptionResult => {
  const { result } = answer;
  const segments = result.segments?.map(({ start, end, text }) => ({ start, end, text }));
  return {
    text: result.text,
    durationSeconds: result.transcription_info?.duration ?? measured(request, segments?.at(-1)?.end),
    ...language(request, result.transcription_info?.language),
    ...(segments ? { segments } : {}),
  };
};

export const fromNova = (answer: z.infer<typeof novaResultSchema>, request: TranscriptionRequest): TranscriptionResult => {
  const channel = answer.result.results.channels[0];
  const best = channel?.alternatives[0];
  const lastEnd = best?.words?.at(-1)?.end;
  return {
    text: best?.transcript ?? '',
    durationSeconds: answer.result.metadata?.duration ?? measured(request, lastEnd),
    ...language(request, channel?.detected_language),
  };
};
