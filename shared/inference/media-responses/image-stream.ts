/**
 * `stream: true` on an image response: the images route's event source (partial renderings where the provider
 * streams them, then each finished image; finished images only where it cannot) as Responses events, in the
 * order OpenAI's image generation tool streams them:
 *
 *   response.created → response.in_progress
 *   → per image: response.output_item.added → response.image_generation_call.in_progress
 *     → response.image_generation_call.generating → response.image_generation_call.partial_image*
 *     → response.image_generation_call.completed → response.output_item.done
 *   → response.completed (its `response.receipt` natively) → data: [DONE]
 *   → event: compose.receipt (natively, when the request sends `x-compose-events: true`)
 *
 * The money is the images route's streamed one (`servePaidStream`, `measureStreamedImages`): the hold is
 * `n` × price, finished images are charged, a client that hangs up holding partials of an unfinished image owes
 * it too, and a stream that finishes none charges nothing. The record is written once the charge is final.
 */
import { Readable } from 'node:stream';
import type { MediaFile } from '../../../layers/providers/media-types.ts';
import { UpstreamError } from '../../../layers/core/errors.ts';
import type { Settled } from '../../billing/types.ts';
import type { HttpResult } from '../../http/response.ts';
import { imageEvents } from '../../media/images/events.ts';
import { toImageRequest } from '../../media/images/serve.ts';
import { measureStreamedImages } from '../../media/images/stream.ts';
import { servePaidStream, type PaidCall } from '../../media/paid.ts';
import type { MediaServices } from '../../media/services.ts';
import type { ResponsesStore } from '../../stores/responses.ts';
import { newResponseId } from '../ids.ts';
import { createResponsesFramer } from '../responses/serialize.ts';
import { composeEventsOn } from '../../calls/surface.ts';
import type { MediaResponseRequest } from './request.ts';
import { mediaResponseBase, mediaResponseObject, newItemId, recordMediaResponse } from './response.ts';
import { imageItem, type PreparedMedia, type StreamableImages } from './serve.ts';

const base64 = (image: MediaFile): string => Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).toString('base64');

export interface ImageResponseStream {
  readonly prepared: PreparedMedia & { readonly images: StreamableImages };
  readonly request: MediaResponseRequest;
  readonly body: Readonly<Record<string, unknown>>;
  readonly responses: ResponsesStore;
  readonly media: MediaServices;
}

export const streamImageResponse = async (paid: PaidCall, { prepared, request, body, responses, media }: ImageResponseStream): Promise<HttpResult> => {
  const { call, model } = prepared.images;
  const id = newResponseId();
  const base = mediaResponseBase(id, prepared.model.publicId, request, body);
  const events = composeEventsOn(paid.surface, 'responses', paid.http.headers);
  const receiptOf = (settled: Settled) => (paid.surface === 'native' && settled.receipt ? { receipt: settled.receipt } : {});
  const result = await servePaidStream({ ...paid, composeEvents: events }, async (options, caller) => {
    const events = await imageEvents(media.adapterFor(model.provider), 'image-generation', toImageRequest(call, model), options);
    const finished: Parameters<typeof measureStreamedImages>[2][number][] = [];
    const output: Record<string, unknown>[] = [];
    let partialInHand = false;
    let completed: Record<string, unknown> | undefined;

    const frame = createResponsesFramer();
    async function* frames(): AsyncGenerator<string> {
      const started = mediaResponseObject(base, { status: 'in_progress', output: [] });
      yield frame('response.created', { response: started });
      yield frame('response.in_progress', { response: started });
      let open: { readonly item_id: string; readonly output_index: number } | undefined;
      for await (const event of events) {
        // Images past `n` were not paid for: neither they nor their partials are served.
        if (finished.length >= call.n) break;
        if (!open) {
          open = { item_id: newItemId('ig'), output_index: output.length };
          yield frame('response.output_item.added', { output_index: open.output_index, item: { type: 'image_generation_call', id: open.item_id, status: 'in_progress' } });
          yield frame('response.image_generation_call.in_progress', open);
          yield frame('response.image_generation_call.generating', open);
        }
        if (event.type === 'partial') {
          partialInHand = true;
          yield frame('response.image_generation_call.partial_image', { ...open, partial_image_index: event.index, partial_image_b64: base64(event.image) });
          continue;
        }
        const item = imageItem(open.item_id, base64(event.image), {
          size: event.details.size ?? call.size,
          quality: event.details.quality ?? call.quality,
          revisedPrompt: event.revisedPrompt,
        });
        finished.push(event);
        output.push(item);
        partialInHand = false;
        yield frame('response.image_generation_call.completed', open);
        yield frame('response.output_item.done', { output_index: open.output_index, item });
        open = undefined;
      }
      if (finished.length === 0) throw new UpstreamError(502, 'upstream_invalid_response', 'The provider returned no image.');
      // `response.completed` carries the receipt: it is framed once the charge is final (`closing`).
      completed = mediaResponseObject(base, { status: 'completed', output });
    }

    return {
      frames: frames(),
      measured: (end) => measureStreamedImages(model, call, finished, partialInHand, end),
      onSettled: async (settled) => {
        if (!completed) return;
        await recordMediaResponse(responses, caller.id, request, { ...completed, ...receiptOf(settled) }, 'completed');
      },
      closing: (settled) => (completed ? [frame('response.completed', { response: { ...completed, ...receiptOf(settled) } })] : []),
    };
  });
  // A replay's body is the stored transcript, whose response has its own id.
  return result.body instanceof Readable ? { ...result, headers: { ...result.headers, 'x-compose-response-id': id } } : result;
};
