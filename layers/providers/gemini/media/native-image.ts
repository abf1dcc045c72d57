/**
 * The Gemini API's own image models (`gemini-2.5-flash-image`, `gemini-3-pro-image-preview`) through
 * `models/{model}:generateContent` with `responseModalities: ["IMAGE"]`: the route @google/genai points to now
 * that `generateImages` (Imagen's `:predict`) is deprecated on the Gemini API. One call renders one image, so
 * `n` images are `n` calls; source images for an edit go before the prompt as `inlineData` parts.
 * https://ai.google.dev/gemini-api/docs/image-generation
 */
import * as z from 'zod';
import { InvalidRequestError, UpstreamError } from '../../../core/errors.ts';
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { decodeBase64, encodeBase64, invalidAnswer } from '../../http/media-call.ts';
import { CONTENT_FILTER_MESSAGE } from '../../http/sanitize.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { nearestAspectRatio, requireImageCount } from '../../media-input.ts';
import type { ImageRequestInMemory } from '../../http/streamed-body.ts';
import type { MediaFile } from '../../media-types.ts';
import type { ProviderId } from '../../types.ts';

/** The aspect ratios `imageConfig.aspectRatio` takes (the SDK's ImageConfig documentation). */
export const GEMINI_IMAGE_ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;
export const MAX_GEMINI_IMAGES = 4;

export const isGeminiImageModel = (model: string): boolean => /^(?:models\/)?gemini-[\w.-]*-image(?:-|$)/.test(model);

export interface NativeImageRequest {
  readonly contents: readonly [{ readonly role: 'user'; readonly parts: readonly ({ readonly text: string } | { readonly inlineData: { readonly mimeType: string; readonly data: string } })[] }];
  readonly generationConfig: { readonly responseModalities: readonly ['IMAGE']; readonly imageConfig: { readonly aspectRatio: string } };
}

/** The body of one call, and how many calls make the `n` images asked for. */
export const buildNativeImageRequest = (request: ImageRequestInMemory, provider: ProviderId): { readonly body: NativeImageRequest; readonly calls: number } => {
  const calls = requireImageCount(request, provider, MAX_GEMINI_IMAGES);
  if (request.mask) throw new InvalidRequestError('unsupported_parameter', `The ${provider} image models edit from the prompt; they take no mask.`, { param: 'mask' });
  const sources = (request.images ?? []).map((image) => ({ inlineData: { mimeType: image.mediaType, data: encodeBase64(image.data) } }));
  return {
    body: {
      contents: [{ role: 'user', parts: [...sources, { text: request.prompt }] }],
      generationConfig: { responseModalities: ['IMAGE'], imageConfig: { aspectRatio: nearestAspectRatio(request.size, GEMINI_IMAGE_ASPECT_RATIOS) } },
    },
    calls,
  };
};

export const nativeImageResponseSchema = z.looseObject({
  candidates: z
    .array(
      z.looseObject({
        content: z.looseObject({ parts: z.array(z.looseObject({ text: z.string().optional(), inlineData: z.looseObject({ mimeType: z.string().optional(), data: z.string() }).optional() })).optional() }).optional(),
        finishReason: z.string().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.looseObject({ blockReason: z.string().optional() }).optional(),
});

export type NativeImageResponse = z.infer<typeof nativeImageResponseSchema>;

/** Finish reasons that mean the image was withheld rather than lost. */
const FILTERED = new Set(['SAFETY', 'IMAGE_SAFETY', 'PROHIBITED_CONTENT', 'BLOCKLIST', 'RECITATION', 'IMAGE_PROHIBITED_CONTENT', 'SPII']);

/** The image of one answer; a blocked prompt or a withheld image is a content-filter refusal. */
export const nativeImageFrom = (answer: NativeImageResponse, provider: ProviderId): MediaFile => {
  const candidate = answer.candidates?.[0];
  const inline = candidate?.content?.parts?.find((part) => part.inlineData)?.inlineData;
  if (inline) {
    const { data } = decodeBase64(inline.data);
    return { data, mediaType: sniffMedia(data)?.mediaType ?? inline.mimeType ?? 'image/png' };
  }
  if (answer.promptFeedback?.blockReason || FILTERED.has(candidate?.finishReason ?? '')) {
    throw new UpstreamError(400, UPSTREAM_CODES.contentFilter, CONTENT_FILTER_MESSAGE, { details: { provider } });
  }
  throw invalidAnswer(provider, 'no image');
};
