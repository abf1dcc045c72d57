/**
 * `multipart/form-data` bodies, parsed by the platform (undici's FormData, built into Node): API Gateway hands
 * the function binary bodies base64-encoded, so they are decoded once and handed over as bytes.
 */
import { InvalidRequestError, UnsupportedMediaTypeError } from '../../../layers/core/errors.ts';
import { rawBody, type HttpRequest } from '../../http/request.ts';
import { asFormFields } from '../fields.ts';
import type { MediaFile } from '../../../layers/providers/media-types.ts';
import type { MultipartBody } from '../../uploads/files.ts';

export type { MultipartBody };

export const isMultipart = (contentType: string | undefined): boolean => /^multipart\/form-data\s*;/i.test(contentType ?? '');

export const readMultipart = async (http: HttpRequest): Promise<MultipartBody> => {
  const contentType = http.headers['content-type'];
  if (!isMultipart(contentType)) {
    throw new UnsupportedMediaTypeError('unsupported_media_type', `This route takes multipart/form-data with a boundary, not '${contentType ?? 'no content type'}'.`);
  }
  let form: FormData;
  try {
    form = await new Response(rawBody(http), { headers: { 'content-type': contentType! } }).formData();
  } catch (cause) {
    throw new InvalidRequestError('invalid_multipart', 'The multipart body could not be parsed.', { cause });
  }
  const fields = new Map<string, string[]>();
  const files = new Map<string, MediaFile[]>();
  for (const [name, value] of form) {
    if (typeof value === 'string') {
      fields.set(name, [...(fields.get(name) ?? []), value]);
    } else {
      const file: MediaFile = { data: new Uint8Array(await value.arrayBuffer()), mediaType: value.type || 'application/octet-stream', ...(value.name ? { filename: value.name } : {}) };
      files.set(name, [...(files.get(name) ?? []), file]);
    }
  }
  return { fields, files };
};

/** The fields as a JSON-like body (last value wins), so the JSON routes' validators read them too. */
export const fieldsAsBody = (body: MultipartBody): Record<string, unknown> =>
  asFormFields(Object.fromEntries([...body.fields].map(([name, values]) => [name, values.at(-1)])));
