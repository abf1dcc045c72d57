/** Checks on uploaded files: present, not too large, of a format the operation takes. */
import type { MediaFile, MediaInput, StreamedBytes } from '../../layers/providers/media-types.ts';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../layers/core/errors.ts';
import { sniffMedia, type SniffedMedia } from '../../layers/core/media/formats/sniff.ts';
import { formatBytes } from '../../layers/core/media/limits.ts';

/** A multipart/form-data body, read whole (`shared/media/upload/multipart.ts`). */
export interface MultipartBody {
  /** Text fields; a repeated name (`image[]`) keeps every value. */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  readonly files: ReadonlyMap<string, readonly MediaFile[]>;
}

export const FILE_ERROR_CODES = {
  missing: 'missing_file',
  tooLarge: 'file_too_large',
  unsupported: 'unsupported_file_format',
  tooMany: 'too_many_files',
} as const;

/** Every file sent under any of `names` (`image` and `image[]` are one field to OpenAI clients). */
export const filesNamed = (body: MultipartBody, ...names: string[]): MediaFile[] => names.flatMap((name) => [...(body.files.get(name) ?? [])]);

export const requireFiles = (body: MultipartBody, param: string, names: readonly string[]): MediaFile[] => {
  const files = filesNamed(body, ...names);
  if (files.length === 0) {
    const sentAsText = names.some((name) => body.fields.has(name));
    throw new InvalidRequestError(FILE_ERROR_CODES.missing, sentAsText ? `'${param}' must be a file upload, not a text field.` : `'${param}' is required: upload it as a file.`, { param });
  }
  return files;
};

/** Either kind of file: bytes in memory, or an upload known by its size (`byteLength` on both). */
export const assertFileSize = (file: MediaInput, maxBytes: number, param: string): void => {
  if (file.data.byteLength > maxBytes) {
    throw new PayloadTooLargeError(FILE_ERROR_CODES.tooLarge, `'${param}' is ${formatBytes(file.data.byteLength)}; the limit is ${formatBytes(maxBytes)}.`, { param });
  }
};

/** What sniffing reads: the bytes, or an upload's first bytes. */
const headOf = (data: Uint8Array | StreamedBytes): Uint8Array => (data instanceof Uint8Array ? data : data.head);

/** The file's real format (by content), which must be among `accepted` media types. Returns the file relabelled. */
export const assertFormat = <Data extends Uint8Array | StreamedBytes>(file: MediaFile<Data>, accepted: readonly string[], param: string): { file: MediaFile<Data>; sniffed: SniffedMedia } => {
  const sniffed = sniffMedia(headOf(file.data));
  if (!sniffed || !accepted.includes(sniffed.mediaType)) {
    const what = sniffed ? sniffed.mediaType : file.data.byteLength === 0 ? 'an empty file' : 'an unrecognised format';
    throw new UnsupportedMediaTypeError(FILE_ERROR_CODES.unsupported, `'${param}' is ${what}; supported: ${accepted.join(', ')}.`, { param });
  }
  // Providers that check extensions (OpenAI transcriptions) must see the real one, whatever the client named it.
  const base = (file.filename ?? '').replace(/\.[^./\\]*$/, '').replace(/[^\w.-]+/g, '_') || param.replace(/\W+/g, '');
  const filename = `${base}.${sniffed.extension}`;
  return { file: { data: file.data, mediaType: sniffed.mediaType, filename }, sniffed };
};
