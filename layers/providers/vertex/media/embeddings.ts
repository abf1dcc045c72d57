/**
 * Canonical embeddings ↔ Vertex. The text-embedding models take up to 250 instances per `:predict`; the Gemini
 * embedding models go through `:embedContent`, one text a call (several calls run concurrently), as
 * @google/genai 3.6 calls them. Inputs longer than the model accepts are refused, not silently truncated
 * (`autoTruncate: false`).
 */
import { estimateTokens } from '../../media-input.ts';
import type { EmbeddingRequest, EmbeddingResult } from '../../media-types.ts';
import type { VertexEmbedContentRequest, VertexEmbedContentResponse, VertexEmbedRequest, VertexEmbedResponse } from './wire.ts';

export const instancesPerRequest = (model: string): number => (/gemini-embedding/.test(model) ? 1 : 250);

export const usesEmbedContent = (model: string): boolean => /(?:^|\/)gemini-embedding/.test(model);

export const buildVertexEmbedContentRequest = (request: EmbeddingRequest, text: string): VertexEmbedContentRequest => ({
  content: { role: 'user', parts: [{ text }] },
  embedContentConfig: { ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}), autoTruncate: false },
});

export const vertexEmbedContentResultFrom = (texts: readonly string[], answers: readonly VertexEmbedContentResponse[]): EmbeddingResult => {
  const counted = answers.every((answer) => answer.usageMetadata?.promptTokenCount !== undefined);
  return {
    vectors: answers.map((answer) => answer.embedding.values),
    inputTokens: counted ? answers.reduce((sum, answer) => sum + (answer.usageMetadata?.promptTokenCount ?? 0), 0) : estimateTokens(texts),
  };
};

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
