/**
 * Canonical image requests → DashScope image-synthesis tasks, and finished tasks → result URLs. Wan text-to-image
 * takes `W*H` pixels (each side 512–1440) and 1–4 images; the image editor (`wanx2.1-imageedit`) takes one base
 * image as a data URL, an optional mask (which switches to mask-guided editing), and its `function`.
 */
import { InvalidRequestError, UpstreamError } from '../../../core/errors.ts';
import { encodeBase64 } from '../../http/media-call.ts';
import { CONTENT_FILTER_MESSAGE } from '../../http/sanitize.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { parseSize, requireImageCount, unsupportedOperation } from '../../media-input.ts';
import type { ImageRequestInMemory } from '../../http/streamed-body.ts';
import type { ImageRequest, MediaFile } from '../../media-types.ts';
import { isDashscopeContentFilter } from './errors.ts';
import type { ImageSynthesisRequest, TaskStatus } from './wire.ts';

export const TEXT_TO_IMAGE_PATH = '/api/v1/services/aigc/text2image/image-synthesis';
export const IMAGE_TO_IMAGE_PATH = '/api/v1/services/aigc/image2image/image-synthesis';
export const MAX_DASHSCOPE_IMAGES = 4;
const MIN_SIDE = 512;
const MAX_SIDE = 1440;

const dataUrl = (file: MediaFile): string => `data:${file.mediaType};base64,${encodeBase64(file.data)}`;

const stringExtra = (request: ImageRequest, name: string): string | undefined => {
  const value = request.extra?.[name];
  return typeof value === 'string' ? value : undefined;
};

const seed = (request: ImageRequest): { seed?: number } => {
  const value = request.extra?.['seed'];
  return typeof value === 'number' && Number.isInteger(value) ? { seed: value } : {};
};

export const textToImageTask = (request: ImageRequest): ImageSynthesisRequest => {
  const n = requireImageCount(request, 'alibaba', MAX_DASHSCOPE_IMAGES);
  const { width, height } = parseSize(request.size);
  if ([width, height].some((side) => side < MIN_SIDE || side > MAX_SIDE)) {
    throw new InvalidRequestError('invalid_size', `The alibaba provider renders ${MIN_SIDE} to ${MAX_SIDE} pixels a side; "${request.size}" is outside that.`, { param: 'size' });
  }
  const negative = stringExtra(request, 'negative_prompt');
  const extend = request.extra?.['prompt_extend'];
  return {
    model: request.model,
    input: { prompt: request.prompt, ...(negative ? { negative_prompt: negative } : {}) },
    parameters: { n, size: `${width}*${height}`, ...seed(request), ...(typeof extend === 'boolean' ? { prompt_extend: extend } : {}), watermark: false },
  };
};

export const imageEditTask = (request: ImageRequestInMemory): ImageSynthesisRequest => {
  const n = requireImageCount(request, 'alibaba', MAX_DASHSCOPE_IMAGES);
  const base = request.images?.[0];
  if (!base || (request.images?.length ?? 0) > 1) throw unsupportedOperation('alibaba', 'editing other than exactly one source image', 'image');
  const fn = stringExtra(request, 'function') ?? (request.mask ? 'description_edit_with_mask' : 'description_edit');
  return {
    model: request.model,
    input: { function: fn, prompt: request.prompt, base_image_url: dataUrl(base), ...(request.mask ? { mask_image_url: dataUrl(request.mask) } : {}) },
    parameters: { n, ...seed(request), watermark: false },
  };
};

/** A task's status → its result URLs when it succeeded, undefined while it runs, a thrown error when it failed. */
export const taskOutcome = (task: TaskStatus): string[] | undefined => {
  const { output } = task;
  switch (output.task_status) {
    case 'PENDING':
    case 'RUNNING':
      return undefined;
    case 'SUCCEEDED': {
      const urls = (output.results ?? []).flatMap((result) => (result.url ? [result.url] : []));
      if (urls.length > 0) return urls;
      if ((output.results ?? []).some((result) => isDashscopeContentFilter(result.code))) throw contentFilter();
      throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The alibaba provider finished the task without images.');
    }
    default:
      if (isDashscopeContentFilter(output.code)) throw contentFilter();
      throw new UpstreamError(502, UPSTREAM_CODES.unavailable, `The alibaba provider's image task ended ${output.task_status}${output.code ? ` (${output.code})` : ''}.`, {
        details: { provider: 'alibaba' },
      });
  }
};

const contentFilter = (): UpstreamError => new UpstreamError(400, UPSTREAM_CODES.contentFilter, CONTENT_FILTER_MESSAGE, { details: { provider: 'alibaba' } });
