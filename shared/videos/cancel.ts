/**
 * `POST /v1/responses/{id}/cancel` for a video job id. The job is marked cancelled by a conditional write (a
 * poll that lands later cannot undo it), its execution is stopped, and the money follows the policy in
 * README.md: a job cancelled while still queued never reached the provider and is refunded like a failure;
 * once submitted, the provider renders (and bills) it regardless, so the charge stands.
 */
import { ConflictError } from '../../layers/core/errors.ts';
import { describeError, logger } from '../../layers/core/observability/index.ts';
import { VIDEO_STATUS, type VideoJob } from './job.ts';
import type { VideoJobStore } from './job-store.ts';
import type { Refunds } from './refund.ts';
import { toVideoObject } from './view.ts';
import type { Workflow } from './workflow.ts';

export interface CancelServices {
  readonly jobs: VideoJobStore;
  readonly refunds: Refunds;
  readonly workflow: Workflow | undefined;
}

const CANCELLED = { code: 'cancelled', message: 'The video job was cancelled by the caller.' };

/** The answer has the Responses API's shape (the route is a Responses route) and carries the video object. */
const asResponse = (job: VideoJob) => ({
  id: job.id,
  object: 'response',
  created_at: job.createdAt,
  status: 'cancelled',
  model: job.model,
  output: [],
  error: job.error ?? CANCELLED,
  usage: null,
  job_id: job.id,
  video: toVideoObject(job, 'native'),
});

export const cancelVideoJob = async ({ jobs, refunds, workflow }: CancelServices, jobId: string, owner: string) => {
  const current = await jobs.readOwned(jobId, owner);
  if (current.status === VIDEO_STATUS.cancelled) return asResponse(current);
  const changes = { status: VIDEO_STATUS.cancelled, error: CANCELLED, completedAt: Math.floor(Date.now() / 1000) };
  const fromQueue = await jobs.transition(jobId, [VIDEO_STATUS.queued], changes);
  const cancelled = fromQueue ?? (await jobs.transition(jobId, [VIDEO_STATUS.inProgress], changes));
  if (!cancelled) {
    const now = await jobs.readOwned(jobId, owner);
    if (now.status === VIDEO_STATUS.cancelled) return asResponse(now);
    throw new ConflictError('video_not_cancellable', `The video job is already ${now.status} and cannot be cancelled.`, { param: 'id' });
  }
  // The poll task also sees the status and ends the execution; stopping it just saves the remaining polls.
  await workflow?.stop(jobId, 'cancelled by the caller').catch((error: unknown) => {
    logger.warn('could not stop the video execution', { jobId, error: describeError(error) });
  });
  const refund = fromQueue
    ? await refunds.refund(cancelled, 'The job was cancelled before it reached the provider, so its charge is returned.')
    : { status: 'not_refundable' as const, amount_wei: '0', reason: 'The job was cancelled after the provider had started rendering it; the charge stands.' };
  return asResponse((await jobs.transition(jobId, [VIDEO_STATUS.cancelled], { refund })) ?? cancelled);
};
