/**
 * Cartesia: text-to-speech as one byte stream (`POST /tts/bytes`) and batch speech-to-text (`POST /stt`,
 * multipart). Every request carries `Cartesia-Version`; the key goes in `Authorization: Bearer`, as the official
 * SDK (@cartesia/cartesia-js 4.2) sends it.
 * https://docs.cartesia.ai/api-reference/tts/bytes · https://docs.cartesia.ai/api-reference/stt/transcribe
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

/** The API version @cartesia/cartesia-js 4.2 pins (its `cartesia-version` default header). */
export const CARTESIA_VERSION = '2026-08-14';

export interface TtsBytesRequest {
  readonly model_id: string;
  readonly transcript: string;
  readonly voice: { readonly mode: 'id'; readonly id: string };
  readonly output_format:
    | { readonly container: 'mp3'; readonly sample_rate: number; readonly bit_rate: number }
    | { readonly container: 'wav' | 'raw'; readonly encoding: 'pcm_s16le'; readonly sample_rate: number };
  readonly language?: string;
  readonly generation_config?: { readonly speed: number };
}

export const sttResponseSchema = z.looseObject({
  type: z.string().optional(),
  text: z.string(),
  language: z.string().nullish(),
  duration: z.number().nonnegative().nullish(),
  words: z.array(z.looseObject({ word: z.string(), start: z.number(), end: z.number() })).nullish(),
});

export type SttResponse = z.infer<typeof sttResponseSchema>;

/** `{title, message, error_code}` (current), `{error}` / `{message}` (older), or plain text. */
export const cartesiaErrorSchema = z.looseObject({
  title: z.string().optional(),
  message: z.string().optional(),
  error: z.string().optional(),
  error_code: z.string().optional(),
});
