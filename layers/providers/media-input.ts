/**
 * Canonical media requests checked against what one provider can take. A request the provider cannot serve
 * is the client's to fix (400), said before any upstream call; shared so every adapter words it alike.
 */
import { InvalidRequestError } from '../core/errors.ts';
import type { EmbeddingRequest, ImageRequest } from './media-types.ts';
import type { ProviderId } from './types.ts';

/** Embedding inputs as strings; token arrays are OpenAI's and most providers take only text. */
export const textInputs = (request: EmbeddingRequest, provider: ProviderId): string[] =>
  request.input.map((item) => {
    if (typeof item !== 'string') throw new InvalidRequestError('unsupported_input', `The ${provider} provider takes embedding input as text, not token arrays.`, { param: 'input' });
    return item;
  });

export const unsupportedFormat = (provider: ProviderId, format: string, supported: readonly string[]): InvalidRequestError =>
  new InvalidRequestError('unsupported_response_format', `The ${provider} provider cannot produce "${format}" audio; use one of: ${supported.join(', ')}.`, {
    param: 'response_format',
  });

export const unsupportedOperation = (provider: ProviderId, what: string, param?: string): InvalidRequestError =>
  new InvalidRequestError('unsupported_operation', `The ${provider} provider does not support ${what}.`, param ? { param } : undefined);

/** `WIDTHxHEIGHT` → numbers; anything else is a bad `size`. */
export const parseSize = (size: string): { readonly width: number; readonly height: number } => {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(size.trim());
  if (!match) throw new InvalidRequestError('invalid_size', `The size "${size}" is not WIDTHxHEIGHT.`, { param: 'size' });
  return { width: Number(match[1]), height: Number(match[2]) };
};

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** The closest of `ratios` ("W:H") to a size, for providers that take an aspect ratio instead of pixels. */
export const nearestAspectRatio = (size: string, ratios: readonly string[]): string => {
  const { width, height } = parseSize(size);
  const exact = `${width / gcd(width, height)}:${height / gcd(width, height)}`;
  if (ratios.includes(exact)) return exact;
  const target = Math.log(width / height);
  let best = ratios[0]!;
  for (const ratio of ratios) {
    const [w, h] = ratio.split(':').map(Number) as [number, number];
    const [bw, bh] = best.split(':').map(Number) as [number, number];
    if (Math.abs(Math.log(w / h) - target) < Math.abs(Math.log(bw / bh) - target)) best = ratio;
  }
  return best;
};

/** `n` within what the provider generates per call. */
export const requireImageCount = (request: ImageRequest, provider: ProviderId, max: number): number => {
  if (!Number.isInteger(request.n) || request.n < 1 || request.n > max) {
    throw new InvalidRequestError('invalid_n', `The ${provider} provider generates 1 to ${max} images per request.`, { param: 'n' });
  }
  return request.n;
};

/** A rough token count for providers that bill embeddings per token but do not report it (~4 characters a token). */
export const estimateTokens = (texts: readonly string[]): number => texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / 4)), 0);

/** `items` in runs of at most `size` (providers that cap inputs per call). */
export const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};
