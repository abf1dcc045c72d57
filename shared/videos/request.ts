/**
 * `POST /v1/videos/generations` bodies → a validated VideoSpec and the catalog row that prices it. Every way a
 * body can be wrong is a 400 with its own code, decided before anyone is charged.
 */
import type { ProviderId } from '../../layers/providers/types.ts';
import { resolveModel, type ModelRow } from '../catalog/index.ts';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { readMetadata } from '../calls/fields.ts';
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

const optionalString = (body: Record<string, unknown>, field: string): string | undefined => {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw bad(`invalid_${field}`, `'${field}' must be a non-empty string.`, field);
  return value.trim();
};

/** `duration` (Compose, Responses) or `seconds` (OpenAI, sent as a string by its SDK). */
const requestedSeconds = (body: Record<string, unknown>): number | undefined => {
  const field = body.duration !== undefined ? 'duration' : 'seconds';
  const raw = body[field];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad('invalid_duration', `'${field}' must be a number of seconds.`, field);
  if (!Number.isInteger(value)) throw bad('duration_out_of_range', `'${field}' must be a whole number of seconds.`, field);
  return value;
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

export const parseVideoRequest = (body: Record<string, unknown>): ParsedVideoRequest => {
  for (const field of UNSUPPORTED) {
    if (body[field] !== undefined) throw bad('unsupported_parameter', `'${field}' is not supported for video generation on this gateway yet.`, field);
  }
  // Not forwarded, but held to OpenAI's rule like every route's metadata: a client relying on it hears so.
  readMetadata(body);
  const model = body.model;
  if (model === undefined || model === null || model === '') throw bad('missing_model', 'A model is required.', 'model');
  if (typeof model !== 'string') throw bad('invalid_model', "'model' must be a string.", 'model');
  const provider = optionalString(body, 'provider');
  const prompt = body.prompt;
  if (prompt === undefined || prompt === null || (typeof prompt === 'string' && prompt.trim() === '')) throw bad('missing_prompt', 'A prompt is required.', 'prompt');
  if (typeof prompt !== 'string') throw bad('invalid_prompt', "'prompt' must be a string.", 'prompt');
  if (prompt.length > MAX_PROMPT_CHARS) throw bad('prompt_too_long', `'prompt' must be at most ${MAX_PROMPT_CHARS} characters.`, 'prompt');

  const row = resolveModel(model, provider, VIDEO_OPERATION);
  const limits = videoLimitsFor(row.provider as ProviderId);
  const units = videoUnits(row);

  const seconds = requestedSeconds(body) ?? limits.defaultSeconds;
  if (!acceptsDuration(limits, seconds)) {
    throw bad('duration_out_of_range', `'duration' must be ${describeDurations(limits)} for ${row.modelId}; got ${seconds}.`, body.duration !== undefined ? 'duration' : 'seconds');
  }

  const size = optionalString(body, 'size');
  const sized = size ? fromSize(size) : undefined;
  const resolutions = pricedResolutions(units);
  const resolution = optionalString(body, 'resolution') ?? sized?.resolution ?? resolutions[0]!;
  if (!resolutions.includes(resolution)) {
    throw bad('unsupported_resolution', `${row.modelId} renders ${resolutions.join(', ')}; got ${resolution}.`, size && !body.resolution ? 'size' : 'resolution');
  }
  const aspectRatio = optionalString(body, 'aspect_ratio') ?? sized?.aspectRatio ?? limits.defaultAspectRatio;
  if (!limits.aspectRatios.includes(aspectRatio)) {
    throw bad('unsupported_aspect_ratio', `${row.modelId} renders aspect ratios ${limits.aspectRatios.join(', ')}; got ${aspectRatio}.`, 'aspect_ratio');
  }

  return {
    spec: { model: row.modelId, provider: row.provider as ProviderId, wireModel: row.upstreamModelId, prompt, seconds, resolution, aspectRatio },
    units,
  };
};
