/**
 * The image events of one call, for any adapter: the provider's stream where the adapter streams images
 * (partial renderings, then each finished image), else its finished images as `completed` events only — no
 * partials are invented. Resolves once the provider has answered. Also what the Responses API's partial images
 * can be built on.
 */
import { completedImageEvents } from '../../../layers/providers/image-events.ts';
import type { ImageRequest, ImageStreamEvent, MediaAdapter } from '../../../layers/providers/media-types.ts';
import type { CallOptions } from '../../../layers/providers/types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { MediaOperation } from '../model.ts';

export type ImageOperation = Extract<MediaOperation, 'image-generation' | 'image-edit'>;

export const imageEvents = async (adapter: MediaAdapter, operation: ImageOperation, request: ImageRequest, options: CallOptions): Promise<AsyncIterable<ImageStreamEvent>> => {
  const edit = operation === 'image-edit';
  const stream = edit ? adapter.streamImageEdit : adapter.streamImageGeneration;
  if (stream) return stream.call(adapter, request, options);
  const once = edit ? adapter.editImage : adapter.generateImage;
  if (!once) throw new UpstreamError(503, 'provider_not_configured', `The ${adapter.provider} provider does not serve ${operation} on this gateway.`);
  return completedImageEvents(await once.call(adapter, request, options));
};
