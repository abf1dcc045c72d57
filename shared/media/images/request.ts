/**
 * Image requests: generations (JSON) and edits (multipart with `image` / `image[]` and an optional `mask`).
 * Size and quality are checked against what the model's catalog row prices; `auto` leaves them to the provider.
 */
import type { MediaFile, MediaInput } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import * as z from 'zod';
import { bodySchema, bodySchemas, codesByKind, flag, gatewayFields, numberIn, oneOf, parseMediaBody, requiredText, text, unset, type Body, type Mode } from '../fields.ts';
import { allowedValues, type MediaModel } from '../model.ts';

export interface ImageCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly prompt: string;
  readonly n: number;
  /** A priced size, `auto`, or undefined (the provider's default). */
  readonly size: string | undefined;
  readonly quality: string | undefined;
  readonly responseFormat: 'url' | 'b64_json';
  /** Provider options passed through as sent (GPT Image `background`, `output_format`…; DALL·E 3 `style`). */
  readonly extra: Readonly<Record<string, unknown>>;
  readonly images?: readonly MediaInput[];
  readonly mask?: MediaFile;
  /** Answer as Server-Sent Events: partial images where the provider streams them, then each finished image. */
  readonly stream?: boolean;
  /** Partial images (0–3) before each finished one, on streams; the provider's default (none) when unset. */
  readonly partialImages?: number | undefined;
}

/** OpenAI's image options the gateway passes through untouched; the provider validates them. */
export const PASSTHROUGH_FIELDS = ['user', 'style', 'background', 'moderation', 'output_format', 'output_compression', 'input_fidelity'] as const;

/**
 * The image fields every image route reads, in the order they are checked. The pass-through options come
 * first and are typed as OpenAI types them: a number where a string belongs is the caller's mistake, not the
 * provider's. `extra`: the fields a route adds (the edit's image, mask and file_id).
 */
const imageFields = (mode: Mode) => ({
  user: text(),
  style: text(),
  background: text(),
  moderation: text(),
  output_format: text(),
  input_fidelity: text(),
  output_compression: numberIn(mode, 0, 100, { integer: true }),
  ...gatewayFields(),
  prompt: requiredText(),
  n: numberIn(mode, 1, 10, { integer: true }),
  size: text(),
  quality: text(),
  response_format: oneOf(['url', 'b64_json']),
  stream: flag(mode),
  partial_images: numberIn(mode, 0, 3, { integer: true }),
});

/** POST /v1/images/generations; unknown fields are refused, as OpenAI does. */
export const IMAGE_GENERATION_BODY = bodySchema(() => z.strictObject(imageFields('json')));

/** POST /v1/images/edits as multipart fields (the files are read apart) and as JSON naming an upload. */
export const IMAGE_EDIT_BODY = bodySchemas((mode) =>
  z.strictObject({ ...imageFields(mode), file_id: text(), ...(mode === 'form' ? { image: text(), 'image[]': text(), mask: text() } : {}) }),
);

const IMAGE_REFUSALS = { response_format: codesByKind({ invalid: 'invalid_response_format' }) };

type ImageFields = z.output<(typeof IMAGE_GENERATION_BODY)['json']>;

const toCall = (fields: ImageFields): ImageCall => ({
  model: fields.model,
  provider: unset(fields.provider),
  prompt: fields.prompt,
  n: fields.n ?? 1,
  size: unset(fields.size),
  quality: unset(fields.quality),
  responseFormat: fields.response_format ?? 'url',
  extra: Object.fromEntries(PASSTHROUGH_FIELDS.flatMap((name) => (fields[name] == null ? [] : [[name, fields[name]]]))),
  stream: fields.stream ?? false,
  partialImages: unset(fields.partial_images),
});

/** An image generation's fields (POST /v1/images/generations, and image Responses). */
export const parseImageFields = (body: Body): ImageCall => toCall(parseMediaBody(IMAGE_GENERATION_BODY, body, IMAGE_REFUSALS));

/** An edit's fields (multipart or JSON), with `file_id` when one names an upload; the images are the caller's to add. */
export const parseImageEditFields = (body: Body): ImageCall & { readonly fileId: string | undefined } => {
  const fields = parseMediaBody(IMAGE_EDIT_BODY, body, IMAGE_REFUSALS);
  return { ...toCall(fields), fileId: unset(fields.file_id) };
};

/** Size and quality must be ones the model is priced for (or `auto`); n within the model's bound. */
export const checkImageOptions = (call: ImageCall, model: MediaModel): void => {
  for (const param of ['size', 'quality'] as const) {
    const value = call[param];
    const allowed = allowedValues(model, param);
    if (value !== undefined && value !== 'auto' && allowed && !allowed.includes(value)) {
      throw new InvalidRequestError(`unsupported_${param}`, `${model.publicId} does not offer ${param} '${value}'; choose one of ${allowed.map((a) => `'${a}'`).join(', ')} or 'auto'.`, { param });
    }
  }
  const maxN = model.params.n?.maximum;
  if (maxN !== undefined && call.n > maxN) {
    throw new InvalidRequestError('invalid_parameter', `Invalid 'n': ${model.publicId} makes at most ${maxN} images per request.`, { param: 'n' });
  }
};
