/**
 * The default transport's answer (node-fetch.ts): a `ProviderResponse` over Node's own response stream, with no
 * `Response`, `Headers` or web stream behind it. Their first use loads Node's bundled undici (35–47 ms of CPU at
 * a cold start here), and a web stream over the socket costs a queue and several promises per chunk, on every
 * token of every stream. Chunks are read straight off the Node stream (`chunks`); `body`, for the media paths
 * that hand a web stream on, is built only when asked. `peek` reads the first chunk ahead and keeps it, so the
 * retry loop can wait for the first byte without wrapping the answer again (first-byte.ts).
 */
import type { Readable } from 'node:stream';
import { MAX_ERROR_BODY_BYTES, type ProviderHeaders, type ProviderResponse } from './provider-response.ts';

/** Header lookups over Node's `rawHeaders` (name, value, name, value…), as `Headers#get` answers them. */
export class RawHeaders implements ProviderHeaders {
  readonly #raw: readonly string[];

  constructor(raw: readonly string[]) {
    this.#raw = raw;
  }

  get(name: string): string | null {
    const wanted = name.toLowerCase();
    let value: string | null = null;
    for (let i = 0; i < this.#raw.length; i += 2) {
      const candidate = this.#raw[i]!;
      if (candidate.length !== wanted.length || candidate.toLowerCase() !== wanted) continue;
      value = value === null ? this.#raw[i + 1]! : `${value}, ${this.#raw[i + 1]!}`;
    }
    return value;
  }

  has(name: string): boolean {
    return this.get(name) !== null;
  }

  /** Lower-cased names with their joined values, each once, sorted by name (as `Headers` iterates). */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    const names = [...new Set(this.#raw.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase()))].sort();
    for (const name of names) yield [name, this.get(name)!];
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

export class NodeResponse implements ProviderResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: RawHeaders;
  readonly #source: Readable | null;
  /** The source's iterator, once reading (or `peek`) has begun. */
  #iterator: AsyncIterator<Uint8Array> | undefined;
  /** A chunk `peek` read ahead, handed out first. */
  #first: Uint8Array | undefined;
  #used = false;
  #body: ReadableStream<Uint8Array> | null | undefined;

  /** `source`: the (decoded) body, or null for HEAD and the null-body statuses. */
  constructor(status: number, statusText: string, rawHeaders: readonly string[], source: Readable | null) {
    this.status = status;
    this.statusText = statusText;
    this.headers = new RawHeaders(rawHeaders);
    this.#source = source;
    // The body may fail (an abort, a reset) before anyone reads it: the failure is then the first read's, as a
    // web stream would keep it, never an 'error' event nobody listens to (which would end the process).
    source?.on('error', () => undefined);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  get bodyUsed(): boolean {
    return this.#used;
  }

  get body(): ReadableStream<Uint8Array> | null {
    // ReadableStream.from pulls only when read (high-water mark 0): asking for the stream reads nothing.
    if (this.#body === undefined) this.#body = this.#source === null ? null : ReadableStream.from(this.#iterable());
    return this.#body;
  }

  /** Waits for the first chunk of the body (or its end) and keeps it for the reader; fails as the body fails. */
  async peek(): Promise<void> {
    if (this.#source === null || this.#iterator !== undefined) return;
    this.#iterator = this.#source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    const first = await this.#iterator.next();
    if (!first.done) this.#first = first.value;
  }

  /**
   * The body's chunks, once. Leaving the iteration early (`return`) destroys the stream, which closes the provider's
   * connection: a client that hangs up stops the provider generating.
   */
  chunks(): AsyncIterable<Uint8Array> | null {
    return this.#source === null ? null : this.#iterable();
  }

  discard(): void {
    this.#first = undefined;
    this.#source?.destroy();
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.#bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.#bytes()).buffer as ArrayBuffer;
  }

  /**
   * An error answer's body is read to MAX_ERROR_BODY_BYTES at most, whoever reads it (`readErrorText` does the same
   * for any answer): only an error's description is read whole, and a provider must not be able to make the
   * function buffer megabytes of one. Leaving the loop early closes the connection.
   */
  async #bytes(): Promise<Uint8Array> {
    const limit = this.ok ? Number.POSITIVE_INFINITY : MAX_ERROR_BODY_BYTES;
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of this.#iterable()) {
      const part = chunk.byteLength > limit - size ? chunk.subarray(0, limit - size) : chunk;
      parts.push(part);
      size += part.byteLength;
      if (size >= limit) break;
    }
    // A fresh buffer of its own (Buffer.concat may hand out a slice of Node's shared pool).
    const out = new Uint8Array(size);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  #iterable(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#reader() };
  }

  /** An iterator that claims the body at its first `next` (not before: `body` may be asked for and never read). */
  #reader(): AsyncIterator<Uint8Array> {
    let opened = false;
    let inner: AsyncIterator<Uint8Array> | undefined;
    const open = (): AsyncIterator<Uint8Array> | undefined => {
      if (opened) return inner;
      if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
      this.#used = true;
      opened = true;
      if (this.#source !== null) inner = this.#iterator ??= this.#source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
      return inner;
    };
    return {
      next: () => {
        const source = open();
        if (source === undefined) return Promise.resolve(DONE);
        const first = this.#first;
        if (first === undefined) return source.next();
        this.#first = undefined;
        return Promise.resolve({ done: false, value: first });
      },
      // A reader that stops (a cancelled web stream, a `for await` left early): the body is dropped, read or not
      // (a body another reader holds is left to it).
      return: async () => {
        if (inner) {
          this.#first = undefined;
          await inner.return?.();
        } else if (!opened && !this.#used) {
          this.discard();
        }
        return DONE;
      },
    };
  }
}
