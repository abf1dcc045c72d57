/**
 * Embeddings: quoted at the worst case the body allows (a byte-level tokenizer never makes a token of less
 * than a byte), metered on the provider's token count, answered in OpenAI's list shape.
 */
import { InvalidRequestError, UpstreamError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { rawBody } from '../../http/request.ts';
import { receiptedJsonAnswer } from '../answer.ts';
import type { Body } from '../fields.ts';
import { resolveMediaModel, type MediaModel } from '../model.ts';
import type { Serve } from '../paid.ts';
import { priceMedia } from '../price.ts';
import type { MediaServices } from '../services.ts';
import { parseEmbeddingsRequest, type EmbeddingsCall } from './request.ts';

/** Little-endian float32s, base64: what OpenAI sends for `encoding_format: base64` (and its SDKs decode). */
export const encodeFloat32 = (vector: readonly number[]): string => Buffer.from(Float32Array.from(vector).buffer).toString('base64');

const checkDimensions = (call: EmbeddingsCall, model: MediaModel): void => {
  const max = model.params.dimensions?.maximum;
  if (call.dimensions !== undefined && max !== undefined && call.dimensions > max) {
    throw new InvalidRequestError('invalid_dimensions', `'dimensions' must be at most ${max} for ${model.publicId}, got ${call.dimensions}.`, { param: 'dimensions' });
  }
};

export const prepareEmbeddings = (http: HttpRequest, body: Body) => {
  const call = parseEmbeddingsRequest(body);
  const model = resolveMediaModel(call.model, call.provider, 'embeddings');
  checkDimensions(call, model);
  const price = priceMedia(http, model, {
    quote: { kind: 'tokens', bodyBytes: rawBody(http).byteLength },
    metered: true,
    description: `Embeddings with ${model.publicId}`,
  });
  return { call, model, price };
};

/** Usage never exceeds what was held: a provider reporting more tokens than the body has bytes is capped. */
export const serveEmbeddings =
  (services: MediaServices, call: EmbeddingsCall, model: MediaModel, tokenBound: number): Serve =>
  async (options) => {
    const adapter = services.adapterFor(model.provider);
    if (!adapter.embed) throw new UpstreamError(503, 'provider_not_configured', `The ${model.provider} provider does not serve embeddings on this gateway.`);
    const result = await adapter.embed(
      { model: model.wireModel, input: call.input, ...(call.dimensions !== undefined ? { dimensions: call.dimensions } : {}), ...(call.user ? { user: call.user } : {}) },
      options,
    );
    if (result.vectors.length !== call.input.length) {
      throw new UpstreamError(502, 'upstream_invalid_response', `The provider returned ${result.vectors.length} embeddings for ${call.input.length} inputs.`);
    }
    const data = result.vectors.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: call.encodingFormat === 'base64' ? encodeFloat32(vector) : vector,
    }));
    const tokens = Math.min(result.inputTokens, tokenBound);
    return {
      answer: receiptedJsonAnswer({ object: 'list', data, model: model.publicId, usage: { prompt_tokens: tokens, total_tokens: tokens } }),
      measured: [{ kind: 'tokens', usage: { inputTokens: tokens, outputTokens: 0 } }],
    };
  };
