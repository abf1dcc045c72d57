/**
 * `stream: true` on image generations and edits: the provider's image events become the client's SSE frames
 * as they arrive. Finished images are stored first when the answer is by URL (as unstreamed answers are);
 * finished images are charged (at most `n`, as held), and a stream that fails before finishing any charges
 * nothing. A client that hangs up after receiving partials of an unfinished image owes that image too.
 */
import type { ImageResult, ImageStreamEvent, MediaFile } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { Measured } from '../../pricing/index.ts';
import { eventFrame } from '../../../layers/core/sse/encode.ts';
import type { MediaModel } from '../model.ts';
import type { ServeStream } from '../paid.ts';
import type { MediaServices } from '../services.ts';
import { measuredImages } from './billing.ts';
import { imageEvents, type ImageOperation } from './events.ts';
import type { ImageCall } from './request.ts';
import { toImageRequest } from './serve.ts';
import { completedImageEvent, partialImageEvent } from './stream-events.ts';

/**
 * What a stream of images owes: its finished images (≤ `n`), plus, when the client hung up holding partials of
 * an unfinished one, that one too — priced at the options held for it (the quote), as a finished image the
 * provider said nothing about is.
 */
export const measureStreamedImages = (
  model: MediaModel,
  call: ImageCall,
  finished: readonly Extract<ImageStreamEvent, { type: 'completed' }>[],
  partialInHand: boolean,
  end?: 'abandoned',
): Measured[] => {
  const count = Math.min(call.n, finished.length + (end === 'abandoned' && partialInHand ? 1 : 0));
  if (count === 0) return [];
  const first = finished[0]?.details;
  const result: ImageResult = { images: finished.map((event) => event.image), ...(first?.quality ? { quality: first.quality } : {}), ...(first?.size ? { size: first.size } : {}) };
  return [{ ...measuredImages(model, call, result), count }];
};

export const streamImages =
  (services: MediaServices, call: ImageCall, model: MediaModel): ServeStream =>
  async (options) => {
    const operation = model.operation as ImageOperation;
    const events = await imageEvents(services.adapterFor(model.provider), operation, toImageRequest(call, model), options);
    const finished: Extract<ImageStreamEvent, { type: 'completed' }>[] = [];
    /** Whether the client holds partials of an image that has not finished. */
    let partialInHand = false;

    const store = async (image: MediaFile): Promise<string | undefined> =>
      call.responseFormat === 'url' ? services.store.url((await services.store.put('images', image.data, image.mediaType)).key) : undefined;

    async function* frames(): AsyncGenerator<string> {
      for await (const event of events) {
        // Images past `n` were not paid for: they are neither served nor charged, nor are their partials.
        if (finished.length >= call.n) break;
        if (event.type === 'partial') {
          const payload = partialImageEvent(operation, call, event);
          partialInHand = true;
          yield eventFrame(payload.type, payload);
          continue;
        }
        const payload = completedImageEvent(operation, call, event, await store(event.image));
        finished.push(event);
        partialInHand = false;
        yield eventFrame(payload.type, payload);
      }
      if (finished.length === 0) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned no image.');
    }

    return { frames: frames(), measured: (end) => measureStreamedImages(model, call, finished, partialInHand, end) };
  };
