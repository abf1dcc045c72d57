/** OpenAI's video object (`/v1/videos`), as much of it as the adapter reads. */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export const openAIVideoSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('video').optional(),
  status: z.enum(['queued', 'in_progress', 'completed', 'failed']),
  progress: z.number().nullish(),
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});

export type OpenAIVideo = z.infer<typeof openAIVideoSchema>;
