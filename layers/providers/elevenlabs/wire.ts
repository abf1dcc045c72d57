/**
 * ElevenLabs text-to-speech (`POST /v1/text-to-speech/{voice_id}?output_format=…`, `{text, model_id,
 * voice_settings}` → audio bytes) and speech-to-text (`POST /v1/speech-to-text`, multipart `file` + `model_id`
 * → words with timings). Key: `xi-api-key`.
 * https://elevenlabs.io/docs/api-reference/text-to-speech/convert ·
 * https://elevenlabs.io/docs/api-reference/speech-to-text/convert
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

export const speechToTextResponseSchema = z.looseObject({
  language_code: z.string().optional(),
  language_probability: z.number().optional(),
  text: z.string(),
  words: z
    .array(z.looseObject({ text: z.string(), type: z.string().optional(), start: z.number().nullish(), end: z.number().nullish(), speaker_id: z.string().nullish() }))
    .optional(),
});

export type SpeechToTextResponse = z.infer<typeof speechToTextResponseSchema>;

/** `{detail: {status, message}}` for API errors, `{detail: [{loc, msg, type}]}` for validation (422). */
export const elevenlabsErrorSchema = z.looseObject({
  detail: z.union([
    z.looseObject({ status: z.string().optional(), message: z.string().optional() }),
    z.array(z.looseObject({ msg: z.string().optional(), loc: z.array(z.union([z.string(), z.number()])).optional() })),
    z.string(),
  ]),
});
