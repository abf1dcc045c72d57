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

/** `:embedContent`, what @google/genai 3.6 calls for the Gemini embedding models on Vertex: one content a call. */
export interface VertexEmbedContentRequest {
  readonly content: { readonly role: 'user'; readonly parts: readonly [{ readonly text: string }] };
  readonly embedContentConfig: { readonly outputDimensionality?: number; readonly autoTruncate: boolean };
}

export const vertexEmbedContentResponseSchema = z.object({
  embedding: z.object({ values: z.array(z.number()) }),
  usageMetadata: z.object({ promptTokenCount: z.number().nonnegative().optional() }).optional(),
});

export type VertexEmbedContentResponse = z.infer<typeof vertexEmbedContentResponseSchema>;
