/**
 * Canonical embeddings ↔ `batchEmbedContents`. The API takes at most 100 requests per batch, so larger inputs
 * go in several calls. It reports no token counts: input tokens are estimated (about four characters each)
 * unless an answer carries `statistics.tokenCount`.
 */
import { estimateTokens } from '../../media-input.ts';
import type { EmbeddingRequest, EmbeddingResult } from '../../media-types.ts';
import type { BatchEmbedContentsRequest, BatchEmbedContentsResponse } from './wire.ts';

export const MAX_BATCH_EMBED_REQUESTS = 100;

/** Catalogs may spell the wire model with the API's `models/` prefix. */
export const bareModel = (model: string): string => model.replace(/^models\//, '');

export const buildBatchEmbedRequest = (request: EmbeddingRequest, texts: readonly string[]): BatchEmbedContentsRequest => ({
  requests: texts.map((text) => ({
    model: `models/${bareModel(request.model)}`,
    // The role is what @google/genai sends with each content (tContents); the API takes the content either way.
    content: { role: 'user', parts: [{ text }] },
    ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
  })),
});

export const embeddingResultFrom = (texts: readonly string[], answers: readonly BatchEmbedContentsResponse[]): EmbeddingResult => {
  const embeddings = answers.flatMap((answer) => answer.embeddings);
  const reported = embeddings.every((embedding) => embedding.statistics?.tokenCount !== undefined)
    ? embeddings.reduce((sum, embedding) => sum + (embedding.statistics?.tokenCount ?? 0), 0)
    : undefined;
  return { vectors: embeddings.map((embedding) => embedding.values), inputTokens: reported ?? estimateTokens(texts) };
};
