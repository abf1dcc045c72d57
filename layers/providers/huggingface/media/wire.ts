/**
 * The Hugging Face router's media wire formats, per partner. `hf-inference` runs Hub pipelines:
 * feature extraction answers nested arrays, text-to-image answers the image bytes. Nebius speaks OpenAI's
 * embeddings and images shapes under `/nebius/v1`. fal answers `{images:[{url}]}` (a data URL with `sync_mode`).
 * https://huggingface.co/docs/inference-providers/tasks/feature-extraction ·
 * https://huggingface.co/docs/inference-providers/tasks/text-to-image
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

/** One vector per input, or one vector per token (a model without pooling). */
export const featureExtractionSchema = z.array(z.union([z.array(z.number()), z.array(z.array(z.number()))]));

export const nebiusImagesSchema = z.looseObject({ data: z.array(z.looseObject({ b64_json: z.string().nullish(), url: z.string().nullish() })) });

export const falImagesSchema = z.looseObject({
  images: z.array(z.looseObject({ url: z.string(), content_type: z.string().optional(), width: z.number().optional(), height: z.number().optional() })),
  seed: z.number().optional(),
  has_nsfw_concepts: z.array(z.boolean()).optional(),
});

/** `{error: "..."}`, `{error: ["..."]}`, and `estimated_time` while a model loads (503). */
export const hfErrorSchema = z.looseObject({ error: z.union([z.string(), z.array(z.string())]), estimated_time: z.number().optional() });
