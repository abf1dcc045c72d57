/**
 * Waits for the first chunk of a response body and hands back an equivalent Response whose body replays it.
 * This moves the "first byte" inside the attempt: a provider that sends headers and then stalls or drops the
 * connection is still retried, and once the caller holds the body nothing is ever retried again.
 */
export const withFirstChunk = async (response: Response): Promise<Response> => {
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
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
