/**
 * Image generation and edits. GPT Image models always answer with base64 and refuse `response_format`; DALL·E
 * models are asked for base64 so no provider URL has to be fetched. `auto` (or nothing) leaves size and
 * quality to the provider, which reports what it chose.
 */
import type * as z from 'zod';
import { sniffMedia } from '../../../core/media/formats/sniff.ts';
import { formWithFiles, type FormFile, type StreamedBody } from '../../http/streamed-body.ts';
import type { ImageRequest, ImageResult, MediaFile } from '../../media-types.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import { downloadBytes } from './download.ts';
import type { imagesResponseSchema } from './wire.ts';

/** GPT Image and `chatgpt-image-latest` (which "follows the same input constraints as GPT image models"). */
export const isGptImageModel = (model: string): boolean => /^(gpt-image|chatgpt-image)/.test(model);

const chosen = (value: string): string | undefined => (value === '' || value === 'auto' ? undefined : value);

/** Fields both endpoints share, as JSON values. */
const commonFields = (request: ImageRequest): Record<string, string | number> => {
  const size = chosen(request.size);
  const quality = chosen(request.quality);
  return {
    model: request.model,
    prompt: request.prompt,
    n: request.n,
    ...(size ? { size } : {}),
    ...(quality ? { quality } : {}),
    ...(isGptImageModel(request.model) ? {} : { response_format: 'b64_json' }),
  };
};

export const generationBody = (request: ImageRequest): Record<string, unknown> => ({ ...commonFields(request), ...request.extra });

/** What asks the provider to stream: `stream`, and how many partial images to send (its default is none). */
export const streamFields = (request: ImageRequest): Record<string, string | number | boolean> => ({
  stream: true,
  ...(request.partialImages !== undefined ? { partial_images: request.partialImages } : {}),
});

/**
 * Several source images go as `image[]` (GPT Image); one as `image`, which every edit model takes. An image
 * read from an upload is streamed into the request rather than held (`formWithFiles`).
 */
export const editForm = (request: ImageRequest, streaming: Readonly<Record<string, unknown>> = {}): FormData | StreamedBody => {
  const fields = Object.entries({ ...commonFields(request), ...request.extra, ...streaming }).flatMap(([name, value]): [string, string][] =>
    value === undefined || value === null ? [] : [[name, typeof value === 'object' ? JSON.stringify(value) : String(value)]],
  );
  const images = request.images ?? [];
  const field = images.length > 1 ? 'image[]' : 'image';
  const files: FormFile[] = images.map((file, i) => ({ field, data: file.data, mediaType: file.mediaType, filename: file.filename ?? `image-${i}.png` }));
  if (request.mask) files.push({ field: 'mask', data: request.mask.data, mediaType: request.mask.mediaType, filename: request.mask.filename ?? 'mask.png' });
  return formWithFiles(fields, files);
};

const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

export const toImageResult = async (
  wire: z.infer<typeof imagesResponseSchema>,
  transport: ProviderTransport,
  options: CallOptions,
): Promise<ImageResult> => {
  // `data` is optional in OpenAI's ImagesResponse; an answer without it carries no image, which the image
  // pipeline reports as such ("The provider returned no image") instead of as a malformed body.
  const data = wire.data ?? [];
  const images = await Promise.all(
    data.map(async (item): Promise<MediaFile> => {
      const fetched = item.b64_json ? { data: Buffer.from(item.b64_json, 'base64'), mediaType: '' } : await downloadBytes(item.url ?? '', transport, options, MAX_IMAGE_BYTES);
      // The bytes say what they are; a provider's content type for blob storage is often generic.
      return { data: fetched.data, mediaType: sniffMedia(fetched.data)?.mediaType ?? (fetched.mediaType || 'image/png') };
    }),
  );
  return {
    images,
    revisedPrompts: data.map((item) => item.revised_prompt ?? undefined),
    ...(wire.quality ? { quality: wire.quality } : {}),
    ...(wire.size ? { size: wire.size } : {}),
  };
};
