/**
 * POST /v1/images/edits: the multipart body's files checked (present, size, real format) before any money moves.
 * The image may instead be an upload (`file_id`, from POST /v1/uploads with purpose `image_edit`), named in the
 * multipart body or in a JSON one. An upload is opened by its first bytes (its format) and stays in S3 until the
 * provider request streams it; adapters whose provider takes base64 read it whole, bounded by the limit.
 */
import type { MediaFile, MediaInput } from '../../../layers/providers/media-types.ts';
import type { Billing, Surface } from '../../billing/types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import type { HttpRequest } from '../../http/request.ts';
import { findUpload, openUpload } from '../../uploads/resolve.ts';
import type { Body } from '../fields.ts';
import { multipartFingerprint } from '../fingerprint.ts';
import { readMediaJson } from '../../http/json-body.ts';
import type { MediaServices } from '../services.ts';
import { assertFileSize, assertFormat, filesNamed, FILE_ERROR_CODES, requireFiles } from '../../uploads/files.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';
import { fieldsAsBody, isMultipart, readMultipart, type MultipartBody } from '../upload/multipart.ts';
import { parseImageEditFields, type ImageCall } from './request.ts';

export const EDIT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

const checked = (file: MediaFile, param: string, maxBytes: number): MediaFile => {
  assertFileSize(file, maxBytes, param);
  return assertFormat(file, EDIT_IMAGE_TYPES, param).file;
};

/** `uploaded`: the image named by the form's `file_id`, read from its upload (then no `image` file may be sent). */
export const parseEditRequest = (form: MultipartBody, maxFileBytes: number, uploaded?: MediaInput): ImageCall => {
  const unexpected = [...form.files.keys()].find((name) => !['image', 'image[]', 'mask'].includes(name));
  if (unexpected) throw new InvalidRequestError('unknown_parameter', `Unrecognized file supplied: ${unexpected}.`, { param: unexpected });
  const { fileId: _, ...call } = parseImageEditFields(fieldsAsBody(form));
  if (uploaded && filesNamed(form, 'image', 'image[]').length > 0) {
    throw new InvalidRequestError('conflicting_parameters', "Send the image as 'image' or name an upload with 'file_id', not both.", { param: 'file_id' });
  }
  const sent = uploaded ? [] : requireFiles(form, 'image', ['image', 'image[]']);
  if (sent.length > MEDIA_LIMITS.maxEditImages) {
    throw new InvalidRequestError(FILE_ERROR_CODES.tooMany, `At most ${MEDIA_LIMITS.maxEditImages} images can be edited at once; got ${sent.length}.`, { param: 'image' });
  }
  const images: readonly MediaInput[] = uploaded ? [assertFormat(uploaded, EDIT_IMAGE_TYPES, 'file_id').file] : sent.map((file) => checked(file, 'image', maxFileBytes));
  const masks = filesNamed(form, 'mask');
  if (masks.length > 1) throw new InvalidRequestError(FILE_ERROR_CODES.tooMany, 'Send at most one mask.', { param: 'mask' });
  const mask = masks[0] && assertFormat(checked(masks[0], 'mask', maxFileBytes), ['image/png'], 'mask').file;
  return { ...call, images, ...(mask ? { mask } : {}) };
};

const missingFileId = (): InvalidRequestError =>
  new InvalidRequestError(FILE_ERROR_CODES.missing, "A JSON body names its image with 'file_id' (an upload from POST /v1/uploads); send 'image' as multipart/form-data.", { param: 'file_id' });

/** The edit as sent: multipart (files, or `file_id`) or JSON (`file_id`); with its idempotency fingerprint (an upload's ETag included). */
export const readEditRequest = async (http: HttpRequest, services: MediaServices, billing: Billing, surface: Surface, maxFileBytes: number): Promise<{ call: ImageCall; fingerprint: string }> => {
  const uploaded = async (id: string) => {
    // Fields first, so a bad request is a 400 before the upload is looked up.
    const { caller } = await billing.identify(http, surface);
    const found = await findUpload(services.uploads, caller, 'image_edit', id);
    return { file: (await openUpload(services.uploads, id, found, maxFileBytes)).file, upload: { id, etag: found.etag } };
  };
  if (isMultipart(http.headers['content-type'])) {
    const form = await readMultipart(http);
    const { fileId } = parseImageEditFields(fieldsAsBody(form));
    if (fileId === undefined) return { call: parseEditRequest(form, maxFileBytes), fingerprint: multipartFingerprint(form) };
    const { file, upload } = await uploaded(fileId);
    return { call: parseEditRequest(form, maxFileBytes, file), fingerprint: JSON.stringify({ request: multipartFingerprint(form), upload }) };
  }
  const body: Body = readMediaJson(http);
  const { fileId, ...call } = parseImageEditFields(body);
  // A JSON edit names its image by `file_id` (no mask: a mask is sent as a multipart file).
  if (fileId === undefined || fileId === '') throw missingFileId();
  const { file, upload } = await uploaded(fileId);
  return { call: { ...call, images: [assertFormat(file, EDIT_IMAGE_TYPES, 'file_id').file] }, fingerprint: JSON.stringify({ request: JSON.stringify(body), upload }) };
};
