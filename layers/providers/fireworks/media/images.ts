/**
 * Canonical image requests → Fireworks workflow bodies. FLUX takes an aspect ratio, not pixels, and one image
 * per call (several are several calls, each with its own seed). Kontext edits take one source image and no mask.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { encodeBase64 } from '../../http/media-call.ts';
import { CONTENT_FILTER_MESSAGE } from '../../http/sanitize.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { nearestAspectRatio, unsupportedOperation } from '../../media-input.ts';
import type { ImageRequestInMemory } from '../../http/streamed-body.ts';
import type { ImageRequest } from '../../media-types.ts';
import type { KontextRequest, KontextResult, TextToImageRequest } from './wire.ts';

export const FLUX_ASPECT_RATIOS = ['1:1', '21:9', '16:9', '3:2', '5:4', '4:5', '2:3', '9:16', '9:21', '4:3', '3:4'] as const;
export const MAX_FIREWORKS_IMAGES = 4;

export const isKontext = (model: string): boolean => /flux-kontext/.test(model);

const numberExtra = (request: ImageRequest, name: string): number | undefined => {
  const value = request.extra?.[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
};

/** The caller's seed for the first image; the next images take the following seeds so they differ. */
const seedFor = (request: ImageRequest, index: number): number | undefined => {
  const seed = numberExtra(request, 'seed');
  return seed === undefined ? undefined : seed + index;
};

export const textToImageBody = (request: ImageRequest, index: number): TextToImageRequest => {
  const seed = seedFor(request, index);
  const guidance = numberExtra(request, 'guidance_scale');
  const steps = numberExtra(request, 'num_inference_steps');
  return {
    prompt: request.prompt,
    aspect_ratio: nearestAspectRatio(request.size, FLUX_ASPECT_RATIOS),
    ...(seed !== undefined ? { seed } : {}),
    ...(guidance !== undefined ? { guidance_scale: guidance } : {}),
    ...(steps !== undefined ? { num_inference_steps: steps } : {}),
  };
};

export const kontextBody = (request: ImageRequestInMemory, index: number, edit: boolean): KontextRequest => {
  const source = request.images?.[0];
  if (edit && (source === undefined || (request.images?.length ?? 0) > 1)) throw unsupportedOperation('fireworks', 'editing other than exactly one source image with FLUX Kontext', 'image');
  if (request.mask) throw unsupportedOperation('fireworks', 'masks with FLUX Kontext (describe the edit in the prompt)', 'mask');
  const seed = seedFor(request, index);
  const tolerance = numberExtra(request, 'safety_tolerance');
  return {
    prompt: request.prompt,
    ...(edit && source ? { input_image: `data:${source.mediaType};base64,${encodeBase64(source.data)}` } : { aspect_ratio: nearestAspectRatio(request.size, FLUX_ASPECT_RATIOS) }),
    ...(seed !== undefined ? { seed } : {}),
    ...(tolerance !== undefined ? { safety_tolerance: tolerance } : {}),
    output_format: 'png',
  };
};

/** A Kontext status → the sample URL when ready, undefined while pending, a thrown error when it failed. */
export const kontextOutcome = (result: KontextResult): string | undefined => {
  if (result.status === 'Ready') {
    const sample = result.result?.sample;
    if (!sample) throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The fireworks provider reported a finished image without one.');
    return sample;
  }
  if (result.status === 'Pending' || result.status === 'Queued' || result.status === 'Processing') return undefined;
  if (/moderated/i.test(result.status)) throw new UpstreamError(400, UPSTREAM_CODES.contentFilter, CONTENT_FILTER_MESSAGE, { details: { provider: 'fireworks' } });
  throw new UpstreamError(502, UPSTREAM_CODES.unavailable, `The fireworks provider could not generate the image (${result.status}).`, { details: { provider: 'fireworks' } });
};
