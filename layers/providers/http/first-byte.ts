/**
 * Waits for the first chunk of a response body and hands back an answer whose body still starts with it.
 * This moves the "first byte" inside the attempt: a provider that sends headers and then stalls or drops the
 * connection is still retried, and once the caller holds the body nothing is ever retried again.
 * The default transport's answer reads the chunk ahead and keeps it (node-response.ts: no new wrapper); any other
 * (a real Response from an injected or the global fetch) is wrapped in one whose body replays it.
 */
import { NodeResponse } from './node-response.ts';
import type { ProviderResponse } from './provider-response.ts';

export const withFirstChunk = async (response: ProviderResponse): Promise<ProviderResponse> => {
  if (response instanceof NodeResponse) {
    await response.peek();
    return response;
  }
  if (response.body === null) return response;
  const reader = response.body.getReader();
  const first = await reader.read();
  let pending: Uint8Array | undefined = first.done ? undefined : first.value;
  let finished = first.done;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      if (finished) {
        controller.close();
        return;
      }
      const next = await reader.read();
      if (next.done) {
        finished = true;
        controller.close();
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  // A Response already exists here (undici is loaded): wrapping it in another costs nothing more at init.
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers as Headers });
};
