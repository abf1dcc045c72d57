/**
 * `POST /v1/videos/generations` bodies → a validated VideoSpec and the catalog row that prices it. Every way a
 * body can be wrong is a 400 with its own code, decided before anyone is charged.
 */
import type { ProviderId } from '../../layers/providers/types.ts';
import { resolveModel, type ModelRow } from '../catalog/index.ts';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import * as z from 'zod';
import { issueKind, modelSchema, MODEL_REFUSAL, parseBody, readMetadata, whereOf, type FieldRefusal } from '../calls/fields.ts';
import type { PricingUnit } from '../pricing/index.ts';
import type { VideoSpec } from './job.ts';
import { acceptsDuration, describeDurations, videoLimitsFor } from './limits.ts';

export const VIDEO_OPERATION = 'video-generation';
export const MAX_PROMPT_CHARS = 10_000;

/** Resolutions a model priced only by `default` may be asked for; the first is used when none is given. */
const GENERIC_RESOLUTIONS = ['720p', '480p', '1080p'];

/** Fields OpenAI's or other video APIs have that this gateway does not forward yet: refused, never dropped. */
const UNSUPPORTED = ['image_url', 'input_reference', 'n', 'remix_video_id'];

export interface ParsedVideoRequest {
  readonly spec: VideoSpec;
  readonly units: readonly PricingUnit[];
}

const bad = (code: string, message: string, param: string): InvalidRequestError => new InvalidRequestError(code, message, { param });

/** A trimmed, non-empty string. */
const words = () => z.string().trim().min(1).nullish();

/** `duration` (Compose, Responses) or `seconds` (OpenAI, sent as a string by its SDK): whole seconds. */
const seconds = () =>
  z.preprocess(
    (raw) => (typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw),
    z
      .number()
      .refine(Number.isInteger, { error: (issue) => `'${whereOf(issue)}' must be a whole number of seconds.`, params: { code: 'duration_out_of_range' } })
      .nullish(),
  );

/** Refused, never dropped: present at all (null too) is a 400. */
const unsupported = () => z.never().optional();

/**
 * The body, in the order its fields are checked. Fields the gateway does not know pass through (as OpenAI's
 * video API grows, a client is not refused for what it need not send). The model's own limits (durations,
 * resolutions, aspect ratios) are checked after the catalog names its provider.
 */
export const VIDEO_BODY = z.looseObject({
  image_url: unsupported(),
  input_reference: unsupported(),
  n: unsupported(),
  remix_video_id: unsupported(),
  model: modelSchema,
  provider: words(),
  prompt: z
    .string()
    .refine((prompt) => prompt.trim() !== '', { error: 'A prompt is required.', params: { code: 'missing_prompt' } })
    // UTF-16 units, as this limit has always been counted (zod's max counts code points).
    .refine((prompt) => prompt.length <= MAX_PROMPT_CHARS, { error: `'prompt' must be at most ${MAX_PROMPT_CHARS} characters.`, params: { code: 'prompt_too_long' } }),
  duration: seconds(),
  seconds: seconds(),
  size: words().pipe(z.string().regex(/^\d{2,5}x\d{2,5}$/, { error: "'size' must look like 1280x720." }).nullish()),
  resolution: words(),
  aspect_ratio: words(),
});

/** Each field's refusals: `missing_<field>` / `invalid_<field>` with the field named, duration's for both spellings. */
const named =
  (missing: string | undefined, invalid: (field: string) => string, code = (field: string) => `invalid_${field}`): FieldRefusal =>
  (issue, value) => {
    const field = String(issue.path[0]);
    if (issue.code === 'custom') return undefined;
    if (issueKind(issue, value) === 'missing' && missing !== undefined) return { message: missing };
    return { code: code(field), message: invalid(field) };
  };

const nonEmpty = named(undefined, (field) => `'${field}' must be a non-empty string.`);

const VIDEO_REFUSALS: Readonly<Record<string, FieldRefusal>> = {
  ...Object.fromEntries(
    UNSUPPORTED.map((name) => [name, () => ({ code: 'unsupported_parameter', message: `'${name}' is not supported for video generation on this gateway yet.` })] as const),
  ),
  model: (issue, value) => (issueKind(issue, value) === 'missing' ? { code: 'missing_model', message: 'A model is required.' } : MODEL_REFUSAL(issue, value)),
  provider: nonEmpty,
  prompt: named('A prompt is required.', () => "'prompt' must be a string."),
  duration: named(undefined, (field) => `'${field}' must be a number of seconds.`, () => 'invalid_duration'),
  seconds: named(undefined, (field) => `'${field}' must be a number of seconds.`, () => 'invalid_duration'),
  size: (issue, value) => (issue.code === 'invalid_format' ? { code: 'invalid_size' } : nonEmpty(issue, value)),
  resolution: nonEmpty,
  aspect_ratio: nonEmpty,
};

/** OpenAI's `size` (`1280x720`) as a resolution (the shorter side) and an orientation. */
const fromSize = (size: string): { resolution: string; aspectRatio: string } => {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(size);
  if (!match) throw bad('invalid_size', "'size' must look like 1280x720.", 'size');
  const [width, height] = [Number(match[1]), Number(match[2])];
  return { resolution: `${Math.min(width, height)}p`, aspectRatio: width > height ? '16:9' : width < height ? '9:16' : '1:1' };
};

const pricedResolutions = (units: readonly PricingUnit[]): string[] => {
  const keys = units.flatMap((unit) => Object.keys(unit.entries)).filter((key) => key !== 'default');
  return keys.length ? [...new Set(keys)] : GENERIC_RESOLUTIONS;
};

const videoUnits = (row: ModelRow): readonly PricingUnit[] =>
  (row.operations.find((o) => o.operation === VIDEO_OPERATION)?.pricingUnits ?? []) as unknown as readonly PricingUnit[];

/** The fields checked before the catalog is asked, in their groups (the rest after it names the model's provider). */
const REFUSED_FIRST = VIDEO_BODY.pick({ image_url: true, input_reference: true, n: true, remix_video_id: true });
const BEFORE_CATALOG = VIDEO_BODY.pick({ model: true, provider: true, prompt: true });

export const parseVideoRequest = (body: Record<string, unknown>): ParsedVideoRequest => {
  parseBody(REFUSED_FIRST, body, VIDEO_REFUSALS);
  // Not forwarded, but held to OpenAI's rule like every route's metadata: a client relying on it hears so.
  readMetadata(body);
  const { model, prompt, provider } = parseBody(BEFORE_CATALOG, body, VIDEO_REFUSALS);
  const row = resolveModel(model, provider ?? undefined, VIDEO_OPERATION);
  // `duration` wins when it is sent (null too): `seconds` is then not read, as it never was.
  const fields = parseBody(VIDEO_BODY, body.duration !== undefined ? { ...body, seconds: undefined } : body, VIDEO_REFUSALS);

  const limits = videoLimitsFor(row.provider as ProviderId);
  const units = videoUnits(row);

  const seconds = (body.duration !== undefined ? fields.duration : fields.seconds) ?? limits.defaultSeconds;
  if (!acceptsDuration(limits, seconds)) {
    throw bad('duration_out_of_range', `'duration' must be ${describeDurations(limits)} for ${row.modelId}; got ${seconds}.`, body.duration !== undefined ? 'duration' : 'seconds');
  }

  const size = fields.size ?? undefined;
  const sized = size ? fromSize(size) : undefined;
  const resolutions = pricedResolutions(units);
  const resolution = fields.resolution ?? sized?.resolution ?? resolutions[0]!;
  if (!resolutions.includes(resolution)) {
    throw bad('unsupported_resolution', `${row.modelId} renders ${resolutions.join(', ')}; got ${resolution}.`, size && !body.resolution ? 'size' : 'resolution');
  }
  const aspectRatio = fields.aspect_ratio ?? sized?.aspectRatio ?? limits.defaultAspectRatio;
  if (!limits.aspectRatios.includes(aspectRatio)) {
    throw bad('unsupported_aspect_ratio', `${row.modelId} renders aspect ratios ${limits.aspectRatios.join(', ')}; got ${aspectRatio}.`, 'aspect_ratio');
  }

  return {
    spec: { model: row.modelId, provider: row.provider as ProviderId, wireModel: row.upstreamModelId, prompt, seconds, resolution, aspectRatio },
    units,
  };
};
