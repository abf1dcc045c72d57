/**
 * What each provider's video API accepts, as data, so a request it would refuse is refused here with a 400
 * instead of failing minutes later inside the worker. Providers without an entry get the generic bounds.
 * Adding a video provider adds a line here (durations its API documents, aspect ratios it renders).
 */
import type { ProviderId } from '../../layers/providers/types.ts';

export interface VideoLimits {
  /** Accepted durations in whole seconds: either a list or an inclusive range. */
  readonly durations: { readonly values: readonly number[] } | { readonly min: number; readonly max: number };
  readonly aspectRatios: readonly string[];
  readonly defaultSeconds: number;
  readonly defaultAspectRatio: string;
}

/** The widest any catalog video model renders today; the per-provider lines narrow it. */
export const GENERIC_VIDEO_LIMITS: VideoLimits = {
  durations: { min: 1, max: 20 },
  aspectRatios: ['16:9', '9:16', '1:1'],
  defaultSeconds: 4,
  defaultAspectRatio: '16:9',
};

export const VIDEO_LIMITS: Partial<Record<ProviderId, VideoLimits>> = {
  // OpenAI Sora: `seconds` is one of "4", "8", "12"; sizes are landscape or portrait.
  openai: { durations: { values: [4, 8, 12] }, aspectRatios: ['16:9', '9:16'], defaultSeconds: 4, defaultAspectRatio: '16:9' },
};

export const videoLimitsFor = (provider: ProviderId): VideoLimits => VIDEO_LIMITS[provider] ?? GENERIC_VIDEO_LIMITS;

export const acceptsDuration = ({ durations }: VideoLimits, seconds: number): boolean =>
  'values' in durations ? durations.values.includes(seconds) : seconds >= durations.min && seconds <= durations.max;

export const describeDurations = ({ durations }: VideoLimits): string =>
  'values' in durations ? `one of ${durations.values.join(', ')} seconds` : `${durations.min} to ${durations.max} seconds`;
