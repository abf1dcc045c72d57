/**
 * Image requests: generations (JSON) and edits (multipart with `image` / `image[]` and an optional `mask`).
 * Size and quality are checked against what the model's catalog row prices; `auto` leaves them to the provider.
 */
import type { MediaFile, MediaInput } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import { onlyKnown, optionalBoolean, optionalEnum, optionalNumber, optionalString, readProvider, requireModel, requireString, type Body } from '../fields.ts';
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

const COMMON_FIELDS = ['prompt', 'n', 'size', 'quality', 'response_format', 'stream', 'partial_images', ...PASSTHROUGH_FIELDS];

const numeric = (value: unknown): unknown => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

export const parseImageFields = (body: Body, extraAllowed: readonly string[] = []): ImageCall => {
  onlyKnown(body, [...COMMON_FIELDS, ...extraAllowed]);
  // Passed through, but typed as OpenAI types them: a number where a string belongs is the caller's mistake, not the provider's.
  for (const name of PASSTHROUGH_FIELDS) if (name !== 'output_compression') optionalString(body, name);
  optionalNumber(body, 'output_compression', { min: 0, max: 100, integer: true });
  const extra = Object.fromEntries(PASSTHROUGH_FIELDS.filter((name) => body[name] !== undefined && body[name] !== null).map((name) => [name, numeric(body[name])]));
  return {
    model: requireModel(body as Record<string, unknown>),
    provider: readProvider(body),
    prompt: requireString(body, 'prompt'),
    n: optionalNumber(body, 'n', { min: 1, max: 10, integer: true }) ?? 1,
    size: optionalString(body, 'size'),
    quality: optionalString(body, 'quality'),
    responseFormat: optionalEnum(body, 'response_format', ['url', 'b64_json'] as const, 'invalid_response_format') ?? 'url',
    extra,
    stream: optionalBoolean(body, 'stream') ?? false,
    partialImages: optionalNumber(body, 'partial_images', { min: 0, max: 3, integer: true }),
  };
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
