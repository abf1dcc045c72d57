/**
 * Request bodies for files a function must not hold (an upload read from the media bucket): the file's own
 * stream as a raw body, or inside multipart framing written around it, always with a known Content-Length.
 * A stream can be read once and a retried request must send the file again, so a body is a recipe (`open`)
 * and `fetchSending` opens it afresh for every attempt. Adapters whose provider takes the file some other way
 * (base64 in JSON) read it whole with `bytesOf`, bounded.
 */
import { randomUUID } from 'node:crypto';
import { PayloadTooLargeError } from '../../core/errors.ts';
import type { ImageRequest, MediaFile, MediaInput, StreamedBytes } from '../media-types.ts';
import type { ProviderFetch } from './provider-response.ts';

export interface StreamedBody {
  readonly contentType: string;
  /** The exact byte count `open()` yields, sent as Content-Length. */
  readonly length: number;
  /** A new stream of the whole body, from its first byte. */
  open(): ReadableStream<Uint8Array>;
}

export const isStreamed = (data: Uint8Array | StreamedBytes): data is StreamedBytes => !(data instanceof Uint8Array);

/** Told apart by its tag, not `instanceof FormData`: touching the FormData global loads Node's bundled undici. */
export const isFormData = (body: unknown): body is FormData => typeof body === 'object' && body !== null && (body as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData';

export const isStreamedBody = (body: unknown): body is StreamedBody =>
  typeof body === 'object' && body !== null && typeof (body as StreamedBody).open === 'function' && typeof (body as StreamedBody).length === 'number';

/** Pieces in order, each pulled only when the reader (the socket) wants more: memory holds a chunk, not the file. */
const concatenated = (pieces: readonly (Uint8Array | StreamedBytes)[]): ReadableStream<Uint8Array> =>
  ReadableStream.from(
    (async function* () {
      for (const piece of pieces) {
        if (isStreamed(piece)) yield* piece.open();
        else yield piece;
      }
    })(),
  );

/** WHATWG's escaping of multipart names and filenames (what FormData does): quotes and line breaks. */
const escapeName = (name: string): string => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

export interface FormFile {
  readonly field: string;
  readonly data: Uint8Array | StreamedBytes;
  readonly mediaType: string;
  readonly filename: string;
}

const partHeader = (boundary: string, name: string, filename?: string, mediaType?: string): string =>
  `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name)}"${filename === undefined ? '' : `; filename="${escapeName(filename)}"`}\r\n` +
  (mediaType === undefined ? '\r\n' : `Content-Type: ${mediaType}\r\n\r\n`);

/**
 * `multipart/form-data` with text fields first, then each file between its part header and the next boundary:
 * files in memory are written as they are, streamed ones are pulled from their source as the socket drains.
 */
export const streamedForm = (fields: readonly (readonly [string, string])[], files: readonly FormFile[]): StreamedBody => {
  const boundary = `----ComposeFormBoundary${randomUUID().replace(/-/g, '')}`;
  const encoder = new TextEncoder();
  const pieces: (Uint8Array | StreamedBytes)[] = [encoder.encode(fields.map(([name, value]) => `${partHeader(boundary, name)}${value}\r\n`).join(''))];
  for (const file of files) pieces.push(encoder.encode(partHeader(boundary, file.field, file.filename, file.mediaType)), file.data, encoder.encode('\r\n'));
  pieces.push(encoder.encode(`--${boundary}--\r\n`));
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: pieces.reduce((sum, piece) => sum + piece.byteLength, 0),
    open: () => concatenated(pieces),
  };
};

/**
 * A multipart body: a FormData when every file is in memory, streamed framing when one is not (an upload read
 * from the media bucket). `fields` come first, in order, then the files in order.
 */
export const formWithFiles = (fields: readonly (readonly [string, string])[], files: readonly FormFile[]): FormData | StreamedBody => {
  if (files.some((file) => isStreamed(file.data))) return streamedForm(fields, files);
  const form = new FormData();
  for (const [name, value] of fields) form.append(name, value);
  for (const file of files) form.append(file.field, new Blob([file.data as Uint8Array<ArrayBuffer>], { type: file.mediaType }), file.filename);
  return form;
};

/** A multipart body with one file, last. */
export const formWithFile = (fields: readonly (readonly [string, string])[], field: string, file: MediaInput, fallbackName = 'audio'): FormData | StreamedBody =>
  formWithFiles(fields, [{ field, data: file.data, mediaType: file.mediaType, filename: file.filename ?? fallbackName }]);

/** The file as a raw request body: its bytes, or its stream with its length. */
export const rawFileBody = (file: MediaInput): Uint8Array | StreamedBody => {
  const { data } = file;
  return isStreamed(data) ? { contentType: file.mediaType || 'application/octet-stream', length: data.byteLength, open: () => data.open() } : data;
};

/**
 * A `fetch` that sends `body` on every call, opened afresh (the retry loop calls it once per attempt), with its
 * Content-Type and Content-Length; `duplex: 'half'` is what Node's fetch requires of a stream body.
 * `redirect: 'error'`: to be able to follow a redirect, Node's fetch (undici, after the Fetch standard) clones
 * the request, which tees a stream body, and the unread branch keeps every chunk sent: the whole file ends up
 * in memory. An upload endpoint that redirects is an error anyway (the body cannot be sent twice).
 */
export const fetchSending =
  (body: StreamedBody, fetchImpl: ProviderFetch = globalThis.fetch): ProviderFetch =>
  (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('content-type', body.contentType);
    headers.set('content-length', String(body.length));
    return fetchImpl(input, { ...init, headers, body: body.open(), duplex: 'half', redirect: 'error' } as RequestInit);
  };

/**
 * The whole file in memory, for providers that take it inside JSON (base64): refused past `maxBytes` (the
 * gateway's own upload limits already bound it; this keeps the read bounded whatever the caller passed).
 */
export const bytesOf = async (file: MediaInput, maxBytes: number): Promise<Uint8Array> => {
  const { data } = file;
  if (!isStreamed(data)) return data;
  if (data.byteLength > maxBytes) throw new PayloadTooLargeError('file_too_large', `The file is ${data.byteLength} bytes; this provider takes at most ${maxBytes}.`, { param: 'file' });
  const out = new Uint8Array(data.byteLength);
  let at = 0;
  for await (const chunk of data.open()) {
    if (at + chunk.byteLength > out.byteLength) throw new PayloadTooLargeError('file_too_large', 'The file is longer than its declared size.', { param: 'file' });
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return at === out.byteLength ? out : out.subarray(0, at);
};

/** An image request whose source images are in memory: what providers taking images as base64 build from. */
export type ImageRequestInMemory = Omit<ImageRequest, 'images'> & { readonly images?: readonly MediaFile[] };

/** The edit's source images read whole (an upload is read from the bucket), each bounded by `maxBytes`. */
export const withImageBytes = async (request: ImageRequest, maxBytes: number): Promise<ImageRequestInMemory> => {
  if (!request.images) return { ...request, images: undefined };
  const images = await Promise.all(request.images.map(async (file) => ({ ...file, data: await bytesOf(file, maxBytes) })));
  return { ...request, images };
};
