import type { ImageResult } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { ImageCall } from './request.ts';

/** A provider answering with no image, or with more than asked for, is a provider fault; extras are not served. */
export const respondedImages = (result: ImageResult, call: ImageCall): ImageResult => {
  if (result.images.length === 0) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned no image.');
  if (result.images.length <= call.n) return result;
  return { ...result, images: result.images.slice(0, call.n), ...(result.revisedPrompts ? { revisedPrompts: result.revisedPrompts.slice(0, call.n) } : {}) };
};
