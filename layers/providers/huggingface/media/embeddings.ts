/**
 * Feature extraction → canonical embeddings. hf-inference answers a vector per input, or a vector per token for
 * models without pooling (mean-pooled here, as sentence-transformers does). Neither it nor the pipeline reports
 * tokens: they are estimated.
 */
import type * as z from 'zod';
import { estimateTokens } from '../../media-input.ts';
import type { EmbeddingResult } from '../../media-types.ts';
import type { featureExtractionSchema } from './wire.ts';

const meanPool = (tokens: readonly (readonly number[])[]): number[] => {
  const width = tokens[0]?.length ?? 0;
  const sums = new Array<number>(width).fill(0);
  for (const token of tokens) for (const [index, value] of token.entries()) sums[index]! += value;
  return sums.map((sum) => sum / Math.max(1, tokens.length));
};

export const fromFeatureExtraction = (answer: z.infer<typeof featureExtractionSchema>, texts: readonly string[]): EmbeddingResult => ({
  vectors: answer.map((item) => (Array.isArray(item[0]) ? meanPool(item as number[][]) : (item as number[]))),
  inputTokens: estimateTokens(texts),
});
