/**
 * The images answer in OpenAI's shape. `url`: each image is written to the media bucket and handed out as a
 * presigned GET URL (the bytes never pass through a function again); `b64_json`: the bytes inline, nothing stored.
 */
import type { ImageResult } from '../../../layers/providers/media-types.ts';
import type { MediaStore } from '../storage/store.ts';
import type { ImageCall } from './request.ts';

export const imagesBody = async (call: ImageCall, result: ImageResult, store: MediaStore): Promise<Record<string, unknown>> => {
  const data = await Promise.all(
    result.images.map(async (image, i) => {
      const revised = result.revisedPrompts?.[i];
      const payload =
        call.responseFormat === 'b64_json'
          ? { b64_json: Buffer.from(image.data).toString('base64') }
          : { url: await store.url((await store.put('images', image.data, image.mediaType)).key) };
      return revised ? { ...payload, revised_prompt: revised } : payload;
    }),
  );
  return {
    created: Math.floor(Date.now() / 1000),
    data,
    ...(result.quality ? { quality: result.quality } : {}),
    ...(result.size ? { size: result.size } : {}),
  };
};
