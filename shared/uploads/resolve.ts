/**
 * An upload named by a call (`file_id`), found for its owner and opened without holding it: HeadObject says
 * it exists, is complete and how large it is; a ranged GET reads its first bytes (the format, a WAV header);
 * the rest stays in S3 until a provider request streams it.
 */
import type { MediaFile, StreamedBytes } from '../../layers/providers/media-types.ts';
import type { Caller } from '../auth/caller.ts';
import { AuthenticationError, InvalidRequestError, NotFoundError } from '../../layers/core/errors.ts';
import { assertFileSize } from './files.ts';
import { isUploadId } from './ids.ts';
import { uploadKey } from './keys.ts';
import type { UploadPurpose } from './purposes.ts';
import type { StoredUpload, UploadStore } from './store.ts';

/** Enough for every container's magic number and a WAV's `fmt ` and `data` headers (after any LIST chunk). */
export const UPLOAD_HEAD_BYTES = 64 * 1024;

export interface OpenedUpload {
  readonly id: string;
  readonly upload: StoredUpload;
  readonly file: MediaFile<StreamedBytes>;
}

const PARAM = 'file_id';

/** The caller's complete upload `id` made for `purpose`; 404 for anyone else's, an unfinished one, or none. */
export const findUpload = async (store: UploadStore, caller: Caller, purpose: UploadPurpose, id: string): Promise<StoredUpload> => {
  if (!isUploadId(id)) throw new InvalidRequestError('invalid_file_id', `'${PARAM}' must be an upload id ('upl_…') from POST /v1/uploads.`, { param: PARAM });
  if (caller.id === 'anonymous') {
    throw new AuthenticationError(
      'caller_required',
      'An upload belongs to the caller that created it: send the same Compose Key (Authorization: Bearer …), or pay this call from the same wallet (its PAYMENT-SIGNATURE).',
    );
  }
  const found = await store.find(uploadKey(caller.id, purpose, id));
  if (!found) {
    throw new NotFoundError(
      'upload_not_found',
      `No complete ${purpose.replace('_', ' ')} upload '${id}' belongs to this caller: create one with POST /v1/uploads, then PUT the file to its upload_url.`,
      { param: PARAM },
    );
  }
  return found;
};

// The signed Content-Length already bounds what S3 took; this holds for a deployment cap set after creation too.
const assertUploadSize = (upload: StoredUpload, maxBytes: number): void =>
  assertFileSize({ data: { byteLength: upload.bytes, head: new Uint8Array(0), open: () => new ReadableStream() }, mediaType: '' }, maxBytes, PARAM);

/** The upload as a file a provider request can stream: size checked against `maxBytes`, first bytes read. */
export const openUpload = async (store: UploadStore, id: string, upload: StoredUpload, maxBytes: number): Promise<OpenedUpload> => {
  assertUploadSize(upload, maxBytes);
  const data: StreamedBytes = { byteLength: upload.bytes, head: new Uint8Array(0), open: () => store.open(upload) };
  const head = await store.readHead(upload, UPLOAD_HEAD_BYTES);
  return { id, upload, file: { data: { ...data, head }, mediaType: upload.contentType ?? 'application/octet-stream', filename: id } };
};
