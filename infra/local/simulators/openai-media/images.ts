/**
 * POST /v1/images/generations and /v1/images/edits. Each image is a real PNG of the requested size whose
 * colours come from the prompt's hash; GPT Image answers carry `quality`, `size` and token `usage` as OpenAI's.
 * GPT Image calls with `stream: true` answer SSE (see image-stream.ts).
 */
import { createHash } from 'node:crypto';
import { readPngSize } from '../../../../layers/core/media/formats/png.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import { promptPicture } from './encode/png.ts';
import { streamImages } from './image-stream.ts';
import { enumField, modelNotFound, numberField, onlyKnown, refuse, type MediaContext } from './context.ts';
import type { FormFile } from './io.ts';
import { DEFAULT_IMAGE_MODEL, IMAGE_MODELS, type ImageModelRules } from './models.ts';

const COMMON = ['model', 'prompt', 'n', 'size', 'quality', 'response_format', 'user'];
const GPT_IMAGE_ONLY = ['background', 'moderation', 'output_format', 'output_compression', 'input_fidelity', 'partial_images', 'stream'];
const DALL_E_3_ONLY = ['style'];

export interface Resolved {
  readonly model: string;
  readonly rules: ImageModelRules;
  readonly prompt: string;
  readonly n: number;
  readonly size: string;
  readonly quality: string;
  readonly responseFormat: 'url' | 'b64_json';
  /** GPT Image only: answer SSE, with this many partial images (0–3) before each finished one. */
  readonly stream: boolean;
  readonly partialImages: number;
}

const resolve = (body: Record<string, unknown>, edit: boolean): Resolved => {
  const model = typeof body.model === 'string' && body.model !== '' ? body.model : DEFAULT_IMAGE_MODEL;
  const rules = IMAGE_MODELS[model] ?? modelNotFound(model);
  if (edit && !rules.edits) refuse(`Invalid model ${model}. The model does not support image edits.`, 'model');
  onlyKnown(body, [...COMMON, ...(rules.gptImage ? GPT_IMAGE_ONLY : []), ...(model === 'dall-e-3' ? DALL_E_3_ONLY : [])]);
  if (rules.gptImage && body.response_format !== undefined) refuse("Unknown parameter: 'response_format'.", 'response_format', 'unknown_parameter');
  const stream = body.stream === true || body.stream === 'true';
  if (body.stream !== undefined && !stream && body.stream !== false && body.stream !== 'false') refuse("Invalid type for 'stream': expected a boolean.", 'stream', 'invalid_type');
  const partialImages = numberField(body.partial_images, 'partial_images', 0, 3, true) ?? 0;
  if (body.output_format !== undefined && body.output_format !== 'png') refuse('The simulator produces png only.', 'output_format');
  if (typeof body.prompt !== 'string' || body.prompt === '') refuse("'prompt' is a required property", 'prompt', 'missing_required_parameter');
  const prompt = body.prompt as string;
  if (prompt.length > rules.maxPrompt) refuse(`'prompt' is too long: the maximum is ${rules.maxPrompt} characters.`, 'prompt', 'string_above_max_length');
  const n = numberField(body.n, 'n', 1, 10, true) ?? 1;
  if (n > rules.maxN) refuse(`Invalid 'n': ${model} generates at most ${rules.maxN} image(s) per request.`, 'n');
  const size = enumField(body.size, 'size', rules.sizes) ?? (rules.sizes.includes('1024x1024') ? '1024x1024' : rules.sizes[0]!);
  const quality = enumField(body.quality, 'quality', rules.qualities) ?? 'auto';
  const responseFormat = (enumField(body.response_format, 'response_format', ['url', 'b64_json']) ?? (rules.gptImage ? 'b64_json' : 'url')) as Resolved['responseFormat'];
  return { model, rules, prompt, n, size, quality, responseFormat, stream, partialImages };
};

export const seedOf = (text: string): number => createHash('sha256').update(text).digest().readUInt32BE(0);

export const dimensions = (size: string): [number, number] => {
  const [w, h] = (size === 'auto' ? '1024x1024' : size).split('x').map(Number);
  return [w!, h!];
};

/** What GPT Image reports for a call's images; `auto` quality is the model's. */
export const imageUsage = (request: Resolved, images: number, partials = 0) => {
  const promptTokens = Math.ceil(request.prompt.length / 4);
  // OpenAI bills 100 more output tokens for each partial image.
  const output = (272 + 100 * partials) * images;
  return { input_tokens: promptTokens, input_tokens_details: { text_tokens: promptTokens, image_tokens: 0 }, output_tokens: output, total_tokens: promptTokens + output };
};

export const reportedQuality = (request: Resolved): string => (request.quality === 'auto' ? request.rules.autoQuality : request.quality);

const answer = (context: MediaContext, request: Resolved, size: string, kind: 'image_generation' | 'image_edit'): void => {
  if (request.stream) return streamImages(context, request, kind);
  const [width, height] = dimensions(size);
  const data = Array.from({ length: request.n }, (_, i) => {
    const png = promptPicture(width, height, seedOf(`${request.prompt}#${i}`));
    const image = request.responseFormat === 'url' ? { url: context.files.add(context.origin, png) } : { b64_json: png.toString('base64') };
    return request.model === 'dall-e-3' ? { ...image, revised_prompt: `A picture of: ${request.prompt}` } : image;
  });
  const gpt = request.rules.gptImage
    ? { background: 'opaque', output_format: 'png', quality: reportedQuality(request), size: `${width}x${height}`, usage: imageUsage(request, request.n) }
    : {};
  sendJson(context.res, 200, { created: Math.floor(Date.now() / 1000), data, ...gpt }, { 'x-request-id': context.requestId });
};

export const handleGeneration = (context: MediaContext, body: Record<string, unknown>): void => {
  const request = resolve(body, false);
  answer(context, request, request.size, 'image_generation');
};

const EDIT_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** DALL·E 2 edits one square PNG under 4 MB; GPT Image edits up to 16 PNG/JPEG/WEBP images under 50 MB. */
const checkEditImages = (rules: ImageModelRules, images: readonly FormFile[], mask: FormFile | undefined): void => {
  if (images.length === 0) refuse("'image' is a required property", 'image', 'missing_required_parameter');
  if (!rules.gptImage && images.length > 1) refuse('dall-e-2 edits exactly one image.', 'image');
  if (images.length > 16) refuse('At most 16 images can be edited at once.', 'image');
  for (const image of images) {
    const type = sniffMedia(image.data)?.mediaType;
    if (!type || !(rules.gptImage ? EDIT_TYPES : ['image/png']).includes(type)) {
      refuse(`Invalid image file or mode for image '${image.filename}', please check your image file.`, 'image', 'invalid_image_format');
    }
    if (image.data.length > (rules.gptImage ? 50 : 4) * 1024 * 1024) refuse(`Image '${image.filename}' is too large.`, 'image', 'image_too_large');
    if (!rules.gptImage) {
      const size = readPngSize(image.data);
      if (!size || size.width !== size.height) refuse('Invalid input image - image must be square.', 'image', 'invalid_image');
    }
  }
  if (mask) {
    const maskSize = readPngSize(mask.data);
    const imageSize = readPngSize(images[0]!.data);
    if (!maskSize) refuse('Invalid mask image - must be a PNG.', 'mask', 'invalid_image_format');
    if (imageSize && maskSize && (imageSize.width !== maskSize.width || imageSize.height !== maskSize.height)) {
      refuse('Invalid mask image - mask and image must have the same dimensions.', 'mask', 'invalid_image');
    }
  }
};

export const handleEdit = (context: MediaContext, fields: Record<string, string>, files: readonly FormFile[]): void => {
  const unknownFile = files.find((f) => !['image', 'image[]', 'mask'].includes(f.name));
  if (unknownFile) refuse(`Unrecognized file argument supplied: ${unknownFile.name}`, unknownFile.name, 'unknown_parameter');
  const request = resolve(fields, true);
  const images = files.filter((f) => f.name === 'image' || f.name === 'image[]');
  const mask = files.find((f) => f.name === 'mask');
  checkEditImages(request.rules, images, mask);
  answer(context, request, request.size, 'image_edit');
};
