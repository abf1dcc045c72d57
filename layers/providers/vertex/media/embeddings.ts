/**
 * Canonical embeddings ↔ Vertex `:predict`. Gemini embedding models take one instance per request (several
 * requests run concurrently); the text-embedding models take up to 250. Inputs longer than the model accepts
 * are refused, not silently truncated (`autoTruncate: false`).
 */
import { estimateTokens } from '../../media-input.ts';
import type { EmbeddingRequest, EmbeddingResult } from '../../media-types.ts';
import type { VertexEmbedRequest, VertexEmbedResponse } from './wire.ts';

export const instancesPerRequest = (model: string): number => (/gemini-embedding/.test(model) ? 1 : 250);

export const buildVertexEmbedRequest = (request: EmbeddingRequest, texts: readonly string[]): VertexEmbedRequest => ({
  instances: texts.map((content) => ({ content })),
  parameters: { autoTruncate: false, ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}) },
});

export const vertexEmbeddingResultFrom = (texts: readonly string[], answers: readonly VertexEmbedResponse[]): EmbeddingResult => {
  const predictions = answers.flatMap((answer) => answer.predictions);
  const counted = predictions.every((prediction) => prediction.embeddings.statistics !== undefined);
  return {
    vectors: predictions.map((prediction) => prediction.embeddings.values),
    inputTokens: counted ? predictions.reduce((sum, prediction) => sum + (prediction.embeddings.statistics?.token_count ?? 0), 0) : estimateTokens(texts),
  };
};
