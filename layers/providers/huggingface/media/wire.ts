/**
 * The Hugging Face router's media wire formats, per partner. `hf-inference` runs Hub pipelines:
 * feature extraction answers nested arrays, text-to-image answers the image bytes. DeepInfra speaks OpenAI's
 * embeddings shape under `/deepinfra/v1/openai`. fal is a queue: the submission answers `{request_id, status,
 * response_url}`, the status `{status}`, and the result `{images:[{url}]}`.
 * https://huggingface.co/docs/inference-providers/tasks/feature-extraction ·
 * https://huggingface.co/docs/inference-providers/tasks/text-to-image
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

/** One vector per input, or one vector per token (a model without pooling). */
export const featureExtractionSchema = z.array(z.union([z.array(z.number()), z.array(z.array(z.number()))]));

export const falQueueSchema = z.looseObject({ request_id: z.string().min(1), status: z.string().optional(), response_url: z.string().min(1) });

export const falStatusSchema = z.looseObject({ status: z.string() });

export const falImagesSchema = z.looseObject({
  images: z.array(z.looseObject({ url: z.string(), content_type: z.string().optional(), width: z.number().optional(), height: z.number().optional() })),
  seed: z.number().optional(),
  has_nsfw_concepts: z.array(z.boolean()).optional(),
});

/** `{error: "..."}`, `{error: ["..."]}`, and `estimated_time` while a model loads (503). */
export const hfErrorSchema = z.looseObject({ error: z.union([z.string(), z.array(z.string())]), estimated_time: z.number().optional() });
