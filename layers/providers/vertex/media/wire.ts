/**
 * Vertex AI's text-embedding `:predict` wire format (Imagen's `:predict` is shared with the Gemini API, see
 * `gemini/media/wire.ts`). Vertex reports the tokens each input used, so embeddings meter exactly here.
 * https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export interface VertexEmbedRequest {
  readonly instances: readonly { readonly content: string; readonly task_type?: string }[];
  readonly parameters?: { readonly outputDimensionality?: number; readonly autoTruncate?: boolean };
}

export const vertexEmbedResponseSchema = z.object({
  predictions: z.array(
    z.object({
      embeddings: z.object({
        values: z.array(z.number()),
        statistics: z.object({ token_count: z.number().nonnegative(), truncated: z.boolean().optional() }).optional(),
      }),
    }),
  ),
  metadata: z.object({ billableCharacterCount: z.number().optional() }).optional(),
});

export type VertexEmbedResponse = z.infer<typeof vertexEmbedResponseSchema>;
