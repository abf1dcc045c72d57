/**
 * `stream: true` for audio, embedding and vision responses: the one answer as a Responses event stream,
 * named, ordered and numbered as the text serializer does it:
 *
 *   response.created → response.in_progress
 *   → per output item: response.output_item.added → response.output_item.done
 *   → response.completed (its `response.receipt` natively) → data: [DONE]
 *   → event: compose.receipt (natively, when the request sends `x-compose-events: true`)
 *
 * The money is `servePaidStream`'s (shared/calls/paid-stream.ts), the same hold as `servePaid`: until the
 * provider answers a failure is an HTTP error and nothing is charged (a provider silent for a whole heartbeat
 * interval commits the stream to keep-alive comments, and a failure after that is in-band: `compose.error`
 * natively, OpenAI's `data: {"error"}` externally); once it has answered, what it produced is charged however
 * the stream ends. The record is written once the charge is final, before `[DONE]`.
 *
 * Images stream their partial renderings as they come instead (image-stream.ts).
 */
import { Readable } from 'node:stream';
import type { Settled } from '../../billing/types.ts';
import type { HttpResult } from '../../http/response.ts';
import type { PaidCall } from '../../media/paid.ts';
import { servePaidStream } from '../../media/paid.ts';
import type { ResponsesStore } from '../../stores/responses.ts';
import { newResponseId } from '../ids.ts';
import { createResponsesFramer } from '../responses/serialize.ts';
import { composeEventsOn } from '../../calls/surface.ts';
import type { MediaResponseRequest } from './request.ts';
import { itemInProgress, mediaResponseBase, mediaResponseObject, recordMediaResponse } from './response.ts';
import type { PreparedMedia } from './serve.ts';

/**
 * The events of a response whose whole answer is known: `response` is the completed object. The terminal
 * `response.completed` is not among them: it carries the receipt, so it is framed once the charge is final.
 */
export async function* completedResponseFrames(response: Readonly<Record<string, unknown>>, frame = createResponsesFramer()): AsyncGenerator<string> {
  const started = { ...response, status: 'in_progress', output: [], usage: null };
  yield frame('response.created', { response: started });
  yield frame('response.in_progress', { response: started });
  for (const [index, item] of (response.output as Record<string, unknown>[]).entries()) {
    yield frame('response.output_item.added', { output_index: index, item: itemInProgress(item) });
    yield frame('response.output_item.done', { output_index: index, item });
  }
}

export interface MediaResponseStream {
  readonly prepared: PreparedMedia;
  readonly request: MediaResponseRequest;
  readonly body: Readonly<Record<string, unknown>>;
  readonly responses: ResponsesStore;
}

export const streamMediaResponse = async (call: PaidCall, { prepared, request, body, responses }: MediaResponseStream): Promise<HttpResult> => {
  const id = newResponseId();
  const receiptOf = (settled: Settled) => (call.surface === 'native' && settled.receipt ? { receipt: settled.receipt } : {});
  const paid = { ...call, composeEvents: composeEventsOn(call.surface, 'responses', call.http.headers) };
  const result = await servePaidStream(paid, async (options, caller) => {
    const served = await prepared.serve(options, caller);
    const { output, usage } = await prepared.toOutput(served);
    const response = mediaResponseObject(mediaResponseBase(id, prepared.model.publicId, request, body), { status: 'completed', output, usage });
    const frame = createResponsesFramer();
    return {
      frames: completedResponseFrames(response, frame),
      // The provider made (and bills) the whole answer: it is owed however the stream ends.
      measured: () => served.measured,
      onSettled: async (settled) => {
        await recordMediaResponse(responses, caller.id, request, { ...response, ...receiptOf(settled) }, 'completed');
      },
      closing: (settled) => [frame('response.completed', { response: { ...response, ...receiptOf(settled) } })],
    };
  });
  // A replay's body is the stored transcript, whose response has its own id.
  return result.body instanceof Readable ? { ...result, headers: { ...result.headers, 'x-compose-response-id': id } } : result;
};
