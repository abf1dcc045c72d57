/** POST /v1/uploads: `{filename, content_type?, bytes, purpose}`, each refused with its own 400 (or 413 for size). */
import * as z from 'zod';
import { PayloadTooLargeError } from '../../layers/core/errors.ts';
import { formatBytes } from '../../layers/core/media/limits.ts';
import { issueKind, parseBody, type FieldRefusal } from '../calls/fields.ts';
import { purposeLimit, UPLOAD_PURPOSES, type UploadPurpose } from './purposes.ts';

export interface UploadRequest {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: number;
  readonly purpose: UploadPurpose;
}

/** `type/subtype`, with optional parameters; what S3 stores and signs as Content-Type. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i;

const PURPOSES = UPLOAD_PURPOSES.map((p) => `'${p}'`).join(', ');

/** The body, in the order its fields are checked; unknown fields are refused. `content_type` defaults only when left out. */
export const UPLOAD_BODY = z.strictObject({
  filename: z
    .string()
    .min(1)
    .max(255)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
    .regex(/^[^\u0000-\u001f]*$/),
  content_type: z.string().max(255).regex(MEDIA_TYPE).default('application/octet-stream'),
  purpose: z.enum(UPLOAD_PURPOSES),
  bytes: z.int().min(1),
});

/** Every field has one refusal for being absent (`missing_<field>`) and one for being wrong (`invalid_<field>`). */
const refusals =
  (missing: string, invalid: (value: unknown) => string): FieldRefusal =>
  (issue, value) =>
    issueKind(issue, value) === 'missing' ? { message: missing } : { code: `invalid_${String(issue.path[0])}`, message: invalid(value) };

const UPLOAD_REFUSALS: Readonly<Record<string, FieldRefusal>> = {
  filename: refusals("'filename' is required.", () => "'filename' must be a name of at most 255 characters, without control characters."),
  // Sent as null it is not left out: the default applies only to an absent field.
  content_type: () => ({ code: 'invalid_content_type', message: "'content_type' must be a media type such as 'audio/wav'." }),
  purpose: refusals(`'purpose' is required: one of ${PURPOSES}.`, (value) => `'purpose' must be one of ${PURPOSES}, got ${JSON.stringify(value)}.`),
  bytes: refusals("'bytes' is required: the file's exact size, which the upload URL is signed for.", () => "'bytes' must be a whole number of bytes, at least 1."),
};

export const parseUploadRequest = (body: Record<string, unknown>, maxUploadBytes?: number): UploadRequest => {
  const { filename, content_type: contentType, bytes, purpose } = parseBody(UPLOAD_BODY, body, UPLOAD_REFUSALS);
  const limit = purposeLimit(purpose, maxUploadBytes);
  if (bytes > limit) {
    throw new PayloadTooLargeError('file_too_large', `The file is ${formatBytes(bytes)}; the limit for ${purpose.replace('_', ' ')} is ${formatBytes(limit)}.`, { param: 'bytes' });
  }
  return { filename, contentType, bytes, purpose };
};
