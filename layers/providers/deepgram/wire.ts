/**
 * Deepgram's pre-recorded speech-to-text (`POST /v1/listen`, the audio as the raw body, options in the query)
 * and text-to-speech (`POST /v1/speak`, `{text}`, the audio back as bytes). Key: `Authorization: Token <key>`.
 * https://developers.deepgram.com/reference/speech-to-text/listen-pre-recorded ·
 * https://developers.deepgram.com/reference/text-to-speech/speak-request
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

const wordSchema = z.looseObject({ word: z.string(), start: z.number(), end: z.number(), punctuated_word: z.string().optional() });

export const listenResponseSchema = z.looseObject({
  metadata: z.looseObject({ request_id: z.string().optional(), duration: z.number().nonnegative() }),
  results: z.looseObject({
    channels: z.array(
      z.looseObject({
        detected_language: z.string().optional(),
        alternatives: z.array(z.looseObject({ transcript: z.string(), confidence: z.number().optional(), words: z.array(wordSchema).optional() })),
      }),
    ),
    utterances: z.array(z.looseObject({ start: z.number(), end: z.number(), transcript: z.string() })).optional(),
  }),
});

export type ListenResponse = z.infer<typeof listenResponseSchema>;

/** Two generations of error body: `{err_code, err_msg}` and `{category, message, details}`. */
export const deepgramErrorSchema = z.looseObject({
  err_code: z.string().optional(),
  err_msg: z.string().optional(),
  category: z.string().optional(),
  message: z.string().optional(),
  details: z.string().optional(),
});
