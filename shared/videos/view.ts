/**
 * A job as clients see it: OpenAI's video object (`object: "video"`, `status`, `progress`, `seconds`, `size`,
 * `created_at`, `completed_at`, `expires_at`, `error`) plus what Compose adds: the download `url` once completed,
 * and on native routes the `receipt` of the charge and the `refund` of a failed job. External routes get the
 * OpenAI shape only.
 */
import type { Surface } from '../billing/types.ts';
import type { VideoJob } from './job.ts';

/** Sizes providers name exactly; others are computed from the resolution (the short side) and the ratio. */
const KNOWN_SIZES: Readonly<Record<string, string>> = {
  '720p 16:9': '1280x720',
  '720p 9:16': '720x1280',
  '1024p 16:9': '1792x1024',
  '1024p 9:16': '1024x1792',
};

/** The pixel size OpenAI reports for a resolution and aspect ratio (`720p`, `16:9` → `1280x720`). */
export const sizeOf = (resolution: string, aspectRatio: string): string => {
  const known = KNOWN_SIZES[`${resolution} ${aspectRatio}`];
  if (known) return known;
  const short = Number.parseInt(resolution, 10);
  const [w, h] = aspectRatio.split(':').map(Number) as [number, number];
  if (!Number.isFinite(short) || !w || !h) return resolution;
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h) / 2) * 2;
  return w >= h ? `${long}x${short}` : `${short}x${long}`;
};

export interface VideoObject {
  readonly id: string;
  readonly object: 'video';
  readonly model: string;
  readonly status: VideoJob['status'];
  readonly progress: number;
  readonly created_at: number;
  readonly completed_at: number | null;
  readonly expires_at: number | null;
  readonly seconds: string;
  readonly size: string;
  readonly resolution: string;
  readonly aspect_ratio: string;
  readonly prompt: string;
  readonly error: { readonly code: string; readonly message: string } | null;
  readonly url: string | null;
  readonly receipt?: VideoJob['receipt'];
  readonly refund?: VideoJob['refund'];
}

export const toVideoObject = (job: VideoJob, surface: Surface, url?: string): VideoObject => ({
  id: job.id,
  object: 'video',
  model: job.model,
  status: job.status,
  progress: job.progress,
  created_at: job.createdAt,
  completed_at: job.completedAt ?? null,
  expires_at: job.status === 'completed' ? job.expiresAt : null,
  seconds: String(job.seconds),
  size: sizeOf(job.resolution, job.aspectRatio),
  resolution: job.resolution,
  aspect_ratio: job.aspectRatio,
  prompt: job.prompt,
  error: job.error ?? null,
  url: url ?? null,
  ...(surface === 'native' && job.receipt ? { receipt: job.receipt } : {}),
  ...(surface === 'native' && job.refund ? { refund: job.refund } : {}),
});
