/**
 * What makes two media requests "the same" for `x-idempotency-key`: the JSON body as sent, or for multipart the
 * fields and each file's digest. Multipart boundaries differ on every send, so the raw body cannot be compared.
 */
import { createHash } from 'node:crypto';
import type { MultipartBody } from './upload/multipart.ts';

const digest = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export const multipartFingerprint = (form: MultipartBody): string =>
  JSON.stringify({
    fields: [...form.fields].sort(([a], [b]) => a.localeCompare(b)),
    files: [...form.files].sort(([a], [b]) => a.localeCompare(b)).map(([name, files]) => [name, files.map((f) => [f.filename ?? '', f.mediaType, digest(f.data)])]),
  });
