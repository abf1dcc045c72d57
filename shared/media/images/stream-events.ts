/**
 * Canonical image events → the events OpenAI's Images API streams, as the client receives them:
 * `<kind>.partial_image` {type, b64_json, partial_image_index, created_at, size, quality, background,
 * output_format} and `<kind>.completed` {type, b64_json, created_at, size, quality, background, output_format,
 * usage} (usage where the provider reports it), `<kind>` being `image_generation` or `image_edit`. A finished
 * image the gateway stored (`response_format: url`) also carries its presigned `url`.
 */
import type { ImageDetails, ImageStreamEvent, ImageTokenUsage, MediaFile } from '../../../layers/providers/media-types.ts';
import type { ImageOperation } from './events.ts';
import type { ImageCall } from './request.ts';

const FORMATS: Readonly<Record<string, string>> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/webp': 'webp' };

export const eventKind = (operation: ImageOperation): string => (operation === 'image-edit' ? 'image_edit' : 'image_generation');

/** What the provider reported, else what was asked for (`auto` where the provider chose). */
const settings = (call: ImageCall, details: ImageDetails, image: MediaFile) => {
  const background = call.extra['background'];
  return {
    size: details.size ?? call.size ?? 'auto',
    quality: details.quality ?? call.quality ?? 'auto',
    background: details.background ?? (typeof background === 'string' ? background : 'auto'),
    output_format: details.outputFormat ?? FORMATS[image.mediaType] ?? 'png',
  };
};

const usageBody = (usage: ImageTokenUsage) => ({
  input_tokens: usage.inputTokens,
  input_tokens_details: { text_tokens: usage.textTokens ?? 0, image_tokens: usage.imageTokens ?? 0 },
  output_tokens: usage.outputTokens,
  total_tokens: usage.totalTokens,
});

const base64 = (image: MediaFile): string => Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64');

export const partialImageEvent = (operation: ImageOperation, call: ImageCall, event: Extract<ImageStreamEvent, { type: 'partial' }>) => ({
  type: `${eventKind(operation)}.partial_image`,
  b64_json: base64(event.image),
  partial_image_index: event.index,
  created_at: Math.floor(Date.now() / 1000),
  ...settings(call, event.details, event.image),
});

export const completedImageEvent = (operation: ImageOperation, call: ImageCall, event: Extract<ImageStreamEvent, { type: 'completed' }>, url: string | undefined) => ({
  type: `${eventKind(operation)}.completed`,
  b64_json: base64(event.image),
  created_at: Math.floor(Date.now() / 1000),
  ...settings(call, event.details, event.image),
  ...(event.usage ? { usage: usageBody(event.usage) } : {}),
  ...(url ? { url } : {}),
  ...(event.revisedPrompt ? { revised_prompt: event.revisedPrompt } : {}),
});
