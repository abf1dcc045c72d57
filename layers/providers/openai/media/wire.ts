/** The parts of OpenAI's media answers the adapter reads, validated (extra fields are allowed and ignored). */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export const embeddingsResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ index: z.number().int().nonnegative(), embedding: z.union([z.array(z.number()), z.string()]) })),
  usage: z.looseObject({ prompt_tokens: z.number().int().nonnegative() }).optional(),
});

export const imagesResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ b64_json: z.string().nullish(), url: z.string().nullish(), revised_prompt: z.string().nullish() })).nullish(),
  quality: z.string().nullish(),
  size: z.string().nullish(),
});

export const moderationResponseSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  results: z.array(z.looseObject({ flagged: z.boolean() })).min(1),
});

const segmentSchema = z.looseObject({ start: z.number(), end: z.number(), text: z.string() });

export const transcriptionResponseSchema = z.looseObject({
  text: z.string(),
  language: z.string().nullish(),
  duration: z.number().nonnegative().nullish(),
  segments: z.array(segmentSchema).nullish(),
  usage: z.looseObject({ type: z.string(), seconds: z.number().nonnegative().optional() }).nullish(),
});

/** What a streamed image call sends besides the image: the settings it rendered with. */
const imageSettings = {
  size: z.string().nullish(),
  quality: z.string().nullish(),
  background: z.string().nullish(),
  output_format: z.string().nullish(),
};

/** `image_generation.partial_image` / `image_edit.partial_image`. */
export const partialImageEventSchema = z.looseObject({
  b64_json: z.string().min(1),
  partial_image_index: z.number().int().nonnegative(),
  ...imageSettings,
});

/** `image_generation.completed` / `image_edit.completed`. */
export const completedImageEventSchema = z.looseObject({
  b64_json: z.string().min(1),
  revised_prompt: z.string().nullish(),
  usage: z
    .looseObject({
      input_tokens: z.number().int().nonnegative(),
      output_tokens: z.number().int().nonnegative(),
      total_tokens: z.number().int().nonnegative(),
      input_tokens_details: z.looseObject({ text_tokens: z.number().int().nonnegative().optional(), image_tokens: z.number().int().nonnegative().optional() }).nullish(),
    })
    .nullish(),
  ...imageSettings,
});
