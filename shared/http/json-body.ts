import { UnsupportedMediaTypeError } from '../../layers/core/errors.ts';
import { readJsonObject, type HttpRequest } from './request.ts';

/** Uploads and raw media sent to a JSON route are a content-type mistake (415), not malformed JSON. */
const NOT_JSON = /^(multipart\/|audio\/|image\/|video\/|application\/octet-stream)/i;

export const readMediaJson = (http: HttpRequest): Record<string, unknown> => {
  const contentType = http.headers['content-type'] ?? '';
  if (NOT_JSON.test(contentType)) {
    throw new UnsupportedMediaTypeError('unsupported_media_type', `This route takes a JSON body (application/json), not '${contentType.split(';')[0]}'.`);
  }
  return readJsonObject(http);
};
