import type { IdempotencyStore } from '../stores/idempotency.ts';
import type { VideoJobStore } from './job-store.ts';
import type { VideoQueue } from './queue.ts';
import type { Refunds } from './refund.ts';
import type { VideoStorage } from './storage.ts';
import type { Workflow } from './workflow.ts';

export interface VideoRouteSettings {
  /** SSE comment cadence while a status stream is silent (pollIntervalMs can be 30 s; edges drop idle streams). */
  readonly heartbeatMs: number;
  /** Kept free at the end of a Lambda invocation to close a status stream with a resumable event. */
  readonly streamMarginMs: number;
  /** How long a job (and its video) is kept. */
  readonly retentionDays: number;
}

/** Everything the video routes need from outside, injected so the same code runs locally, in tests and in Lambda. */
export interface VideoServices {
  readonly jobs: VideoJobStore;
  readonly queue: VideoQueue;
  readonly storage: VideoStorage;
  readonly refunds: Refunds;
  readonly idempotency: IdempotencyStore;
  /** Absent where no state machine is configured: a cancel then relies on the poll task seeing the status. */
  readonly workflow: Workflow | undefined;
  readonly settings: VideoRouteSettings;
}

export const videoRouteSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): VideoRouteSettings => ({
  heartbeatMs: Number(env.SSE_HEARTBEAT_MS ?? 15_000),
  streamMarginMs: Number(env.VIDEO_STREAM_MARGIN_MS ?? 10_000),
  retentionDays: Number(env.VIDEO_RETENTION_DAYS ?? 7),
});
