/**
 * Canonical image requests ↔ Imagen's `:predict` (the Gemini API and Vertex share it). Imagen takes an aspect
 * ratio, not pixels, so `size` picks the nearest supported ratio, and a 2K image size for large requests on
 * the models that offer it. A filtered image comes back as `raiFilteredReason`: all filtered is a content
 * filter refusal, some filtered returns the rest.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { decodeBase64, invalidAnswer } from '../../http/media-call.ts';
import { CONTENT_FILTER_MESSAGE } from '../../http/sanitize.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { nearestAspectRatio, parseSize, requireImageCount } from '../../media-input.ts';
import type { ImageRequest, ImageResult, MediaFile } from '../../media-types.ts';
import type { ProviderId } from '../../types.ts';
import type { ImagenPredictRequest, ImagenPredictResponse } from './wire.ts';

export const IMAGEN_ASPECT_RATIOS = ['1:1', '3:4', '4:3', '9:16', '16:9'] as const;
export const MAX_IMAGEN_SAMPLES = 4;

/** Imagen 4 Standard and Ultra render 2K on request; Fast and Imagen 3 render 1K only. */
const offers2K = (model: string): boolean => /imagen-4\.0-(?:generate|ultra-generate)/.test(model);

export const buildImagenRequest = (request: ImageRequest, provider: ProviderId): ImagenPredictRequest => {
  const sampleCount = requireImageCount(request, provider, MAX_IMAGEN_SAMPLES);
  const { width, height } = parseSize(request.size);
  const personGeneration = request.extra?.['person_generation'];
  return {
    instances: [{ prompt: request.prompt }],
    parameters: {
      sampleCount,
      aspectRatio: nearestAspectRatio(request.size, IMAGEN_ASPECT_RATIOS),
      ...(offers2K(request.model) && Math.max(width, height) > 1408 ? { imageSize: '2K' } : {}),
      ...(typeof personGeneration === 'string' ? { personGeneration } : {}),
    },
  };
};

export const imageResultFrom = (answer: ImagenPredictResponse, provider: ProviderId): ImageResult => {
  const predictions = answer.predictions ?? [];
  const images: MediaFile[] = [];
  const revisedPrompts: (string | undefined)[] = [];
  for (const prediction of predictions) {
    if (prediction.bytesBase64Encoded === undefined) continue;
    const { data } = decodeBase64(prediction.bytesBase64Encoded);
    images.push({ data, mediaType: sniffMedia(data)?.mediaType ?? prediction.mimeType ?? 'image/png' });
    revisedPrompts.push(prediction.prompt);
  }
  if (images.length > 0) return { images, revisedPrompts };
  // Imagen answers an all-filtered request with no images (or only filter reasons): a refusal, not a success.
  if (predictions.length === 0 || predictions.some((prediction) => prediction.raiFilteredReason !== undefined)) {
    throw new UpstreamError(400, UPSTREAM_CODES.contentFilter, CONTENT_FILTER_MESSAGE, { details: { provider } });
  }
  throw invalidAnswer(provider, 'no images');
};
