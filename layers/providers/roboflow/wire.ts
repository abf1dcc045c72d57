/**
 * Roboflow's hosted inference. Trained models (`{project}/{version}`, e.g. `coco/39`) take the image as a base64
 * body (`application/x-www-form-urlencoded`) or an `image` URL in the query, the key as `api_key`, and answer
 * detections (`x, y, width, height, class, confidence`) or classes. Hosted CLIP compares an image with text
 * prompts at `/clip/compare`. https://docs.roboflow.com/deploy/serverless-hosted-api-v2
 */
// A namespace import lets esbuild drop what is unused (zod's locales above all).
import * as z from 'zod';

const imageSchema = z.looseObject({ width: z.number(), height: z.number() });

/** Object detection, instance segmentation, and single- or multi-label classification answers. */
export const inferenceResponseSchema = z.looseObject({
  inference_id: z.string().optional(),
  time: z.number().optional(),
  image: imageSchema.optional(),
  predictions: z.union([z.array(z.looseObject({ class: z.string(), confidence: z.number() })), z.record(z.string(), z.looseObject({ confidence: z.number() }))]),
  top: z.string().optional(),
  confidence: z.number().optional(),
});

export interface ClipCompareRequest {
  readonly subject: { readonly type: 'base64' | 'url'; readonly value: string };
  readonly subject_type: 'image';
  readonly prompt: readonly string[];
  readonly prompt_type: 'text';
  readonly clip_version_id: string;
}

export const clipCompareResponseSchema = z.looseObject({ similarity: z.array(z.number()), time: z.number().optional() });

export const roboflowErrorSchema = z.looseObject({
  message: z.string().optional(),
  error: z.union([z.string(), z.looseObject({ message: z.string().optional() })]).optional(),
  detail: z.unknown().optional(),
});
