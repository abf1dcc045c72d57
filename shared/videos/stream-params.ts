/** `GET /v1/videos/{id}/stream` query bounds (streaming.md): out of range or not a number is a 400, never clamped. */
import { InvalidRequestError } from '../../layers/core/errors.ts';

export const STREAM_BOUNDS = {
  pollIntervalMs: { min: 500, max: 30_000, default: 2_000 },
  timeoutMs: { min: 5_000, max: 3_600_000, default: 600_000 },
} as const;

export interface StreamParams {
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

const read = (query: Readonly<Record<string, string>>, name: keyof typeof STREAM_BOUNDS, code: string): number => {
  const bounds = STREAM_BOUNDS[name];
  const raw = query[name];
  if (raw === undefined || raw === '') return bounds.default;
  if (!/^\d+$/.test(raw.trim())) throw new InvalidRequestError(`invalid_${code}`, `${name} must be a whole number of milliseconds.`, { param: name });
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) {
    throw new InvalidRequestError(`${code}_out_of_range`, `${name} must be between ${bounds.min} and ${bounds.max}; got ${value}.`, { param: name });
  }
  return value;
};

export const parseStreamParams = (query: Readonly<Record<string, string>>): StreamParams => ({
  pollIntervalMs: read(query, 'pollIntervalMs', 'poll_interval'),
  timeoutMs: read(query, 'timeoutMs', 'timeout'),
});
