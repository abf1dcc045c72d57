/**
 * One async video job as the videos table keeps it. The status moves forward only:
 *   queued → in_progress → completed | failed | cancelled   (queued → failed | cancelled too)
 * Every transition is one conditional write on the current status, so a late poll can never undo a cancel.
 */
import type { ProviderId } from '../../layers/providers/types.ts';
import type { ReceiptBody } from '../receipts/index.ts';

export const VIDEO_STATUS = {
  queued: 'queued',
  inProgress: 'in_progress',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;

export type VideoStatus = (typeof VIDEO_STATUS)[keyof typeof VIDEO_STATUS];

/** Statuses a job can still leave. */
export const OPEN_STATUSES: readonly VideoStatus[] = [VIDEO_STATUS.queued, VIDEO_STATUS.inProgress];

export const isTerminal = (status: VideoStatus): boolean => !OPEN_STATUSES.includes(status);

export interface VideoJobError {
  readonly code: string;
  readonly message: string;
}

/** What happened to the money of a job that produced no video (see README.md, "Money"). */
export interface VideoRefund {
  readonly status: 'refunded' | 'not_refundable';
  /** USDC atomic units returned to the payer (0 when not refundable). */
  readonly amount_wei: string;
  readonly reason: string;
}

/** What the client asked for, validated and resolved (see request.ts). */
export interface VideoSpec {
  readonly model: string;
  readonly provider: ProviderId;
  readonly wireModel: string;
  readonly prompt: string;
  readonly seconds: number;
  readonly resolution: string;
  readonly aspectRatio: string;
}

export interface VideoJob extends VideoSpec {
  readonly id: string;
  /** The caller that created it (`key:<id>`, `wallet:<address>`): only it can read or cancel the job. */
  readonly owner: string;
  readonly status: VideoStatus;
  /** 0–100, as the provider last reported it. */
  readonly progress: number;
  /** Epoch seconds. */
  readonly createdAt: number;
  readonly completedAt?: number;
  /** The provider's own id for the job, once submitted. */
  readonly providerJobId?: string;
  /** Epoch milliseconds after which the state machine gives up polling (`timed_out`). */
  readonly deadlineAt?: number;
  /** Where the finished video is in the media bucket. */
  readonly videoKey?: string;
  readonly videoBytes?: number;
  readonly error?: VideoJobError;
  /** The charge made at submission. */
  readonly receipt?: ReceiptBody;
  readonly refund?: VideoRefund;
  /** Epoch seconds: TTL of the item, and when the stored video stops being served. */
  readonly expiresAt: number;
}
