/**
 * DashScope's native AIGC task API (image synthesis): a POST with `X-DashScope-Async: enable` creates a task,
 * `GET /api/v1/tasks/{task_id}` reports it; results are URLs to images kept for 24 hours. Errors are
 * `{request_id, code, message}`. Embeddings use the OpenAI-compatible mode instead.
 * https://www.alibabacloud.com/help/en/model-studio/text-to-image-v2-api-reference
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export interface ImageSynthesisRequest {
  readonly model: string;
  readonly input: {
    readonly prompt: string;
    readonly negative_prompt?: string;
    /** Image edits (wanx2.1-imageedit). */
    readonly function?: string;
    readonly base_image_url?: string;
    readonly mask_image_url?: string;
  };
  readonly parameters: { readonly n: number; readonly size?: string; readonly seed?: number; readonly prompt_extend?: boolean; readonly watermark?: boolean };
}

export const taskCreatedSchema = z.looseObject({
  request_id: z.string().optional(),
  output: z.looseObject({ task_id: z.string().min(1), task_status: z.string() }),
});

export const taskStatusSchema = z.looseObject({
  request_id: z.string().optional(),
  output: z.looseObject({
    task_id: z.string(),
    /** PENDING, RUNNING, SUCCEEDED, FAILED, CANCELED, UNKNOWN. */
    task_status: z.string(),
    results: z.array(z.looseObject({ url: z.string().optional(), actual_prompt: z.string().optional(), code: z.string().optional(), message: z.string().optional() })).optional(),
    code: z.string().optional(),
    message: z.string().optional(),
  }),
  usage: z.looseObject({ image_count: z.number().optional() }).optional(),
});

export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const dashscopeErrorSchema = z.looseObject({ code: z.string().optional(), message: z.string().optional(), request_id: z.string().optional() });
