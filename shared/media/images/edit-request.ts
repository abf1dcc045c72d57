/** POST /v1/images/edits: the multipart body's files checked (present, size, real format) before any money moves. */
import type { MediaFile } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError } from '../../errors.ts';
import { assertFileSize, assertFormat, filesNamed, FILE_ERROR_CODES, requireFiles } from '../upload/files.ts';
import { MEDIA_LIMITS } from '../upload/limits.ts';
import { fieldsAsBody, type MultipartBody } from '../upload/multipart.ts';
import { parseImageFields, type ImageCall } from './request.ts';

export const EDIT_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

const checked = (file: MediaFile, param: string, maxBytes: number): MediaFile => {
  assertFileSize(file, maxBytes, param);
  return assertFormat(file, EDIT_IMAGE_TYPES, param).file;
};

export const parseEditRequest = (form: MultipartBody, maxFileBytes: number): ImageCall => {
  const unexpected = [...form.files.keys()].find((name) => !['image', 'image[]', 'mask'].includes(name));
  if (unexpected) throw new InvalidRequestError('unknown_parameter', `Unrecognized file supplied: ${unexpected}.`, { param: unexpected });
  const call = parseImageFields(fieldsAsBody(form), ['image', 'image[]', 'mask']);
  const images = requireFiles(form, 'image', ['image', 'image[]']);
  if (images.length > MEDIA_LIMITS.maxEditImages) {
    throw new InvalidRequestError(FILE_ERROR_CODES.tooMany, `At most ${MEDIA_LIMITS.maxEditImages} images can be edited at once; got ${images.length}.`, { param: 'image' });
  }
  const masks = filesNamed(form, 'mask');
  if (masks.length > 1) throw new InvalidRequestError(FILE_ERROR_CODES.tooMany, 'Send at most one mask.', { param: 'mask' });
  const mask = masks[0] && assertFormat(checked(masks[0], 'mask', maxFileBytes), ['image/png'], 'mask').file;
  return { ...call, images: images.map((file) => checked(file, 'image', maxFileBytes)), ...(mask ? { mask } : {}) };
};
