/** Embeddings: floats are always asked for on the wire; the gateway re-encodes for clients that want base64. */
import type { EmbeddingRequest, EmbeddingResult } from '../../media-types.ts';
import type * as z from 'zod';
import type { embeddingsResponseSchema } from './wire.ts';

export const embeddingsBody = (request: EmbeddingRequest): Record<string, unknown> => ({
  model: request.model,
  input: request.input.length === 1 && typeof request.input[0] === 'string' ? request.input[0] : request.input,
  encoding_format: 'float',
  ...(request.dimensions !== undefined ? { dimensions: request.dimensions } : {}),
  ...(request.user !== undefined ? { user: request.user } : {}),
});

/** Little-endian float32s, as OpenAI encodes base64 embeddings. */
export const decodeFloat32 = (base64: string): number[] => {
  const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
  return Array.from(new Float32Array(bytes.buffer, 0, Math.floor(bytes.byteLength / 4)));
};

export const toEmbeddingResult = (wire: z.infer<typeof embeddingsResponseSchema>): EmbeddingResult => ({
  vectors: [...wire.data].sort((a, b) => a.index - b.index).map((item) => (typeof item.embedding === 'string' ? decodeFloat32(item.embedding) : item.embedding)),
  inputTokens: wire.usage?.prompt_tokens ?? 0,
});
