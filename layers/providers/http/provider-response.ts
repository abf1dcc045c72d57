/**
 * What provider code reads of an answer and asks of its transport: the part of the Fetch standard's `Response`
 * the adapters, the retry loop and the media readers use, and a `fetch` returning it. Structural on purpose: a
 * real `Response` (a test's injected fetch, the global fetch behind stream and form bodies) is one, and so is the
 * default transport's light answer over node:http (node-response.ts), which never builds a `Response`, a
 * `Headers` or a web stream: the first use of those globals loads Node's bundled undici, 35–47 ms of CPU at a
 * cold start here.
 */

export interface ProviderHeaders {
  /** The values of `name` (any case) joined by `, `, or null, as `Headers#get`. */
  get(name: string): string | null;
  has(name: string): boolean;
}

export interface ProviderResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: ProviderHeaders;
  /** The body as a web stream (null for HEAD and null-body statuses). The light answer builds it only when asked. */
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
  /** The body's chunks straight off the source, without a web stream; null when there is no body (absent on a real Response: `bodyChunks`). */
  chunks?(): AsyncIterable<Uint8Array> | null;
  /** Drops the body and closes its connection (absent on a real Response: `discardBody`). */
  discard?(): void;
}

/** What a provider call's transport is: `fetch`'s call shape, any `ProviderResponse` back. */
export type ProviderFetch = (input: string | URL, init?: RequestInit) => Promise<ProviderResponse>;

/** A body without chunks, for an answer without a body. */
export const NO_CHUNKS: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) };

/**
 * The cheapest chunk source of an answer's body, or null when it has none (HEAD, 204): the light answer's own
 * (straight off the Node stream), else the web stream (async-iterable in Node). Leaving a `for await` over it early
 * closes the body and its connection. Reading starts at the first chunk asked for: `text()` and `json()` still work
 * on an answer whose chunks were only asked for.
 */
export const bodyChunks = (response: ProviderResponse): AsyncIterable<Uint8Array> | null => (response.chunks ? response.chunks() : response.body);

/** An answer whose body nobody will read (a retried failure, an oversized download): the connection is closed. */
export const discardBody = async (response: ProviderResponse): Promise<void> => {
  if (response.discard) response.discard();
  else await response.body?.cancel();
};

/**
 * The most of an error answer's body read to describe it. Provider error bodies are a JSON object or a line of
 * text, a few hundred bytes; one far larger (an HTML page, a broken or hostile provider streaming megabytes) is
 * not held whole in the function's memory for a message that is cut to a sentence anyway.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * An error answer's body as text, at most its first `maxBytes`: the rest is dropped unread and the connection
 * closed (leaving the iteration early does that), so a provider cannot make the gateway buffer an endless error.
 * A body cut inside a character ends in U+FFFD, as `text()` decodes malformed bytes.
 */
export const readErrorText = async (response: ProviderResponse, maxBytes: number = MAX_ERROR_BODY_BYTES): Promise<string> => {
  const chunks = bodyChunks(response);
  if (chunks === null) return '';
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  for await (const chunk of chunks) {
    const room = maxBytes - size;
    const part = chunk.byteLength > room ? chunk.subarray(0, room) : chunk;
    size += part.byteLength;
    text += decoder.decode(part, { stream: true });
    if (size >= maxBytes) break;
  }
  return text + decoder.decode();
};
