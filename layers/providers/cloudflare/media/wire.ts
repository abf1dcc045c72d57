/**
 * Workers AI's REST wire format: `POST {base}/accounts/{account_id}/ai/run/{model}` with the model's own input
 * (JSON, or the raw bytes for audio and image models), answered either in the v4 envelope
 * `{result, success, errors, messages}` (JSON outputs) or with the raw bytes (images, speech).
 * https://developers.cloudflare.com/workers-ai/models/
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export const envelope = <T extends z.ZodType>(result: T) => z.looseObject({ result, success: z.boolean().optional() });

/** `@cf/baai/bge-*`: `{text}` → one vector per text. */
export const embeddingsResultSchema = envelope(z.looseObject({ shape: z.array(z.number()).optional(), data: z.array(z.array(z.number())) }));

/** FLUX.1 [schnell]: the image as base64 (JPEG). Stable Diffusion models answer raw PNG bytes instead. */
export const imageResultSchema = envelope(z.looseObject({ image: z.string().min(1) }));

/** MeloTTS: the speech as base64 MP3. */
export const melottsResultSchema = envelope(z.looseObject({ audio: z.string().min(1) }));

const word = z.looseObject({ word: z.string(), start: z.number().optional(), end: z.number().optional() });

/** `@cf/openai/whisper` (and `-tiny-en`). */
export const whisperResultSchema = envelope(z.looseObject({ text: z.string(), word_count: z.number().optional(), words: z.array(word).optional(), vtt: z.string().optional() }));

/** `@cf/openai/whisper-large-v3-turbo`. */
export const whisperTurboResultSchema = envelope(
  z.looseObject({
    text: z.string(),
    transcription_info: z.looseObject({ language: z.string().optional(), duration: z.number().optional() }).optional(),
    segments: z.array(z.looseObject({ start: z.number(), end: z.number(), text: z.string() })).optional(),
  }),
);

/** `@cf/deepgram/nova-3`: Deepgram's listen answer inside the envelope. */
export const novaResultSchema = envelope(
  z.looseObject({
    metadata: z.looseObject({ duration: z.number().optional() }).optional(),
    results: z.looseObject({
      channels: z.array(
        z.looseObject({
          detected_language: z.string().optional(),
          alternatives: z.array(z.looseObject({ transcript: z.string(), words: z.array(z.looseObject({ end: z.number().optional() })).optional() })),
        }),
      ),
    }),
  }),
);

/** Image classification (`@cf/microsoft/resnet-50`). */
export const classificationResultSchema = envelope(z.array(z.looseObject({ label: z.string(), score: z.number() })));
