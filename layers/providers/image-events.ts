/**
 * Finished images as stream events: how an image call is streamed where the provider (or the model) cannot
 * stream images. Only `completed` events — a provider that sends no partial renderings gets none invented.
 */
import type { ImageResult, ImageStreamEvent } from './media-types.ts';

export async function* completedImageEvents(result: ImageResult): AsyncGenerator<ImageStreamEvent> {
  for (const [i, image] of result.images.entries()) {
    const revisedPrompt = result.revisedPrompts?.[i];
    yield {
      type: 'completed',
      image,
      details: { ...(result.size ? { size: result.size } : {}), ...(result.quality ? { quality: result.quality } : {}) },
      ...(revisedPrompt ? { revisedPrompt } : {}),
    };
  }
}
