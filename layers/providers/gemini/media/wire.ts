/**
 * The Generative Language API's media wire format: `embedContent` / `batchEmbedContents` for embeddings and
 * Imagen's `:predict` (shared with Vertex). Requests are typed (we build them); responses are validated.
 * https://ai.google.dev/api/embeddings · https://ai.google.dev/gemini-api/docs/imagen
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export interface EmbedContentRequest {
  /** `models/{model}`: batchEmbedContents requires every request to name the model of the URL. */
  readonly model: string;
  readonly content: { readonly role?: 'user'; readonly parts: readonly { readonly text: string }[] };
  readonly taskType?: string;
  readonly outputDimensionality?: number;
}

export interface BatchEmbedContentsRequest {
  readonly requests: readonly EmbedContentRequest[];
}

const contentEmbeddingSchema = z.object({
  values: z.array(z.number()),
  /** Not sent by the Gemini API today; read if it appears. */
  statistics: z.object({ tokenCount: z.number().int().nonnegative().optional() }).optional(),
});

export const batchEmbedContentsResponseSchema = z.object({ embeddings: z.array(contentEmbeddingSchema) });

export type BatchEmbedContentsResponse = z.infer<typeof batchEmbedContentsResponseSchema>;

/** Imagen `:predict`: one instance (the prompt), the parameters, and up to four images back. */
export interface ImagenPredictRequest {
  readonly instances: readonly [{ readonly prompt: string }];
  readonly parameters: {
    readonly sampleCount: number;
    readonly aspectRatio?: string;
    readonly imageSize?: string;
    readonly personGeneration?: string;
    readonly outputOptions?: { readonly mimeType: string };
  };
}

export const imagenPredictResponseSchema = z.object({
  predictions: z
    .array(
      z.object({
        bytesBase64Encoded: z.string().optional(),
        mimeType: z.string().optional(),
        /** Set instead of the image when Responsible AI filtered it. */
        raiFilteredReason: z.string().optional(),
        /** Vertex: the rewritten prompt when prompt enhancement ran. */
        prompt: z.string().optional(),
      }),
    )
    .optional(),
});

export type ImagenPredictResponse = z.infer<typeof imagenPredictResponseSchema>;
