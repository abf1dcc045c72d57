/**
 * `stream: true` for audio, embedding and vision responses: the one answer as a Responses event stream,
 * named, ordered and numbered as the text serializer does it:
 *
 *   response.created → response.in_progress
 *   → per output item: response.output_item.added → response.output_item.done
 *   → response.completed → event: compose.receipt (natively) → data: [DONE]
 *
 * The money is `servePaidStream`'s (shared/media/paid-stream.ts), the same hold as `servePaid`: until the
 * provider answers a failure is an HTTP error and nothing is charged (a provider silent for a whole heartbeat
 * interval commits the stream to keep-alive comments, and a failure after that is in-band: `compose.error`
 * natively, OpenAI's `data: {"error"}` externally); once it has answered, what it produced is charged however
 * the stream ends. The record is written once the charge is final, before `[DONE]`.
 *
 * Images stream their partial renderings as they come instead (image-stream.ts).
 */
import { Readable } from 'node:stream';
import type { HttpResult } from '../../http/response.ts';
import type { PaidCall } from '../../media/paid.ts';
import { servePaidStream } from '../../media/paid.ts';
import type { ResponsesStore } from '../../stores/responses.ts';
import { newResponseId } from '../ids.ts';
import { createResponsesFramer } from '../responses/serialize.ts';
import type { MediaResponseRequest } from './request.ts';
import { itemInProgress, mediaResponseBase, mediaResponseObject, recordMediaResponse } from './response.ts';
import type { PreparedMedia } from './serve.ts';

/** The events of a response whose whole answer is known: `response` is the completed object. */
export async function* completedResponseFrames(response: Readonly<Record<string, unknown>>): AsyncGenerator<string> {
  const frame = createResponsesFramer();
  const started = { ...response, status: 'in_progress', output: [], usage: null };
  yield frame('response.created', { response: started });
  yield frame('response.in_progress', { response: started });
  for (const [index, item] of (response.output as Record<string, unknown>[]).entries()) {
    yield frame('response.output_item.added', { output_index: index, item: itemInProgress(item) });
    yield frame('response.output_item.done', { output_index: index, item });
  }
  yield frame('response.completed', { response });
}

export interface MediaResponseStream {
  readonly prepared: PreparedMedia;
  readonly request: MediaResponseRequest;
  readonly body: Readonly<Record<string, unknown>>;
  readonly responses: ResponsesStore;
}

export const streamMediaResponse = async (call: PaidCall, { prepared, request, body, responses }: MediaResponseStream): Promise<HttpResult> => {
  const id = newResponseId();
  const result = await servePaidStream(call, async (options, caller) => {
    const served = await prepared.serve(options, caller);
    const { output, usage } = await prepared.toOutput(served);
    const response = mediaResponseObject(mediaResponseBase(id, prepared.model.publicId, request, body), { status: 'completed', output, usage });
    return {
      frames: completedResponseFrames(response),
      // The provider made (and bills) the whole answer: it is owed however the stream ends.
      measured: () => served.measured,
      onSettled: async (settled) => {
        const receipt = call.surface === 'native' && settled.receipt ? { receipt: settled.receipt } : {};
        await recordMediaResponse(responses, caller.id, request, { ...response, ...receipt }, 'completed');
      },
    };
  });
  // A replay's body is the stored transcript, whose response has its own id.
  return result.body instanceof Readable ? { ...result, headers: { ...result.headers, 'x-compose-response-id': id } } : result;
};
