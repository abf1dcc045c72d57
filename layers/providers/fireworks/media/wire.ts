/**
 * Fireworks image workflows. FLUX.1 [schnell]/[dev] answer `text_to_image` synchronously with the image bytes
 * (`Accept: image/png`); FLUX.1 Kontext is asynchronous: the POST returns a `request_id`, `get_result` reports
 * its status and, once `Ready`, a URL to the image. Embeddings are OpenAI's shape under `/inference/v1`.
 * https://docs.fireworks.ai/api-reference/generate-a-new-image-from-a-text-prompt ·
 * https://docs.fireworks.ai/api-reference/generate-or-edit-image-using-flux-kontext
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export interface TextToImageRequest {
  readonly prompt: string;
  readonly aspect_ratio: string;
  readonly seed?: number;
  readonly guidance_scale?: number;
  readonly num_inference_steps?: number;
}

export interface KontextRequest {
  readonly prompt: string;
  /** The image to edit: base64 (a data URL) or a URL. */
  readonly input_image?: string;
  readonly aspect_ratio?: string;
  readonly seed?: number;
  readonly output_format: 'png' | 'jpeg';
  readonly safety_tolerance?: number;
}

export const kontextSubmitSchema = z.looseObject({ request_id: z.string().min(1) });

/** `status`: Pending, Ready, Error, Request Moderated, Content Moderated, Task not found. */
export const kontextResultSchema = z.looseObject({
  id: z.string().optional(),
  status: z.string(),
  result: z.looseObject({ sample: z.string().nullish() }).nullish(),
  details: z.unknown().optional(),
});

export type KontextResult = z.infer<typeof kontextResultSchema>;
