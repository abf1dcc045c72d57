/**
 * Recording a job that will produce no video, and settling its money, in an order that survives retries:
 * the status moves first (one conditional write), then the refund (idempotent per job), then the refund is
 * written on the job. A retry after a crash finds the job failed without a refund and finishes the work.
 */
import { OPEN_STATUSES, VIDEO_STATUS, type VideoJob, type VideoJobError } from './job.ts';
import type { VideoJobStore } from './job-store.ts';
import type { Refunds } from './refund.ts';

export interface FailureServices {
  readonly jobs: VideoJobStore;
  readonly refunds: Refunds;
}

/** Why a failure is refunded, in words the job item keeps. */
const REFUND_REASON = 'The video job failed, so its charge is returned.';

/** Fails an open job and refunds it. Returns the job as it ends up (unchanged if it had already finished). */
export const failVideoJob = async ({ jobs, refunds }: FailureServices, jobId: string, error: VideoJobError): Promise<VideoJob | undefined> => {
  const failed =
    (await jobs.transition(jobId, OPEN_STATUSES, { status: VIDEO_STATUS.failed, error, completedAt: Math.floor(Date.now() / 1000) })) ??
    (await jobs.read(jobId, true));
  if (!failed || failed.status !== VIDEO_STATUS.failed || failed.refund) return failed;
  const refund = await refunds.refund(failed, REFUND_REASON);
  return (await jobs.transition(jobId, [VIDEO_STATUS.failed], { refund })) ?? failed;
};
