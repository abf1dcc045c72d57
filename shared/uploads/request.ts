/** POST /v1/uploads: `{filename, content_type?, bytes, purpose}`, each refused with its own 400 (or 413 for size). */
import { InvalidRequestError, PayloadTooLargeError } from '../../layers/core/errors.ts';
import { formatBytes } from '../../layers/core/media/limits.ts';
import { purposeLimit, UPLOAD_PURPOSES, type UploadPurpose } from './purposes.ts';

export interface UploadRequest {
  readonly filename: string;
  readonly contentType: string;
  readonly bytes: number;
  readonly purpose: UploadPurpose;
}

const FIELDS = ['filename', 'content_type', 'bytes', 'purpose'];
/** `type/subtype`, with optional parameters; what S3 stores and signs as Content-Type. */
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i;

const invalid = (param: string, code: string, message: string): InvalidRequestError => new InvalidRequestError(code, message, { param });

export const parseUploadRequest = (body: Record<string, unknown>, maxUploadBytes?: number): UploadRequest => {
  const unknown = Object.keys(body).find((name) => !FIELDS.includes(name));
  if (unknown !== undefined) throw invalid(unknown, 'unknown_parameter', `Unrecognized request argument supplied: ${unknown}.`);

  const { filename, content_type: contentType = 'application/octet-stream', bytes, purpose } = body;
  if (filename === undefined || filename === null || filename === '') throw invalid('filename', 'missing_filename', "'filename' is required.");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (typeof filename !== 'string' || filename.length > 255 || /[\u0000-\u001f]/.test(filename)) {
    throw invalid('filename', 'invalid_filename', "'filename' must be a name of at most 255 characters, without control characters.");
  }
  if (typeof contentType !== 'string' || contentType.length > 255 || !MEDIA_TYPE.test(contentType)) {
    throw invalid('content_type', 'invalid_content_type', "'content_type' must be a media type such as 'audio/wav'.");
  }
  if (purpose === undefined || purpose === null) throw invalid('purpose', 'missing_purpose', `'purpose' is required: one of ${UPLOAD_PURPOSES.map((p) => `'${p}'`).join(', ')}.`);
  if (typeof purpose !== 'string' || !(UPLOAD_PURPOSES as readonly string[]).includes(purpose)) {
    throw invalid('purpose', 'invalid_purpose', `'purpose' must be one of ${UPLOAD_PURPOSES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(purpose)}.`);
  }
  if (bytes === undefined || bytes === null) throw invalid('bytes', 'missing_bytes', "'bytes' is required: the file's exact size, which the upload URL is signed for.");
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 1) throw invalid('bytes', 'invalid_bytes', "'bytes' must be a whole number of bytes, at least 1.");
  const limit = purposeLimit(purpose as UploadPurpose, maxUploadBytes);
  if (bytes > limit) {
    throw new PayloadTooLargeError('file_too_large', `The file is ${formatBytes(bytes)}; the limit for ${purpose.replace('_', ' ')} is ${formatBytes(limit)}.`, { param: 'bytes' });
  }
  return { filename, contentType, bytes, purpose: purpose as UploadPurpose };
};
