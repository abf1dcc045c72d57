/**
 * How a worker failure is classified. Step Functions retries a task on `RetryableVideoError` (its Retry
 * names the error by this name), SQS redelivers a submission that threw; anything else is final.
 */
import { ComposeError } from '../../layers/core/errors.ts';
import { RETRYABLE_ERROR } from '../../shared/videos/state-machine.ts';
import type { VideoJobError } from '../../shared/videos/job.ts';

export class RetryableVideoError extends Error {
  override readonly name = RETRYABLE_ERROR;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Provider 429/5xx, timeouts and network failures may pass; a 4xx (the request itself) will not. */
export const isRetryable = (error: unknown): boolean => {
  if (error instanceof RetryableVideoError) return true;
  if (error instanceof ComposeError) return error.status === 429 || error.status >= 500;
  return true;
};

/** A failure as the job item records it: a ComposeError's code and exposed message, otherwise something generic. */
export const jobErrorOf = (error: unknown): VideoJobError => {
  if (error instanceof ComposeError && error.exposed) return { code: error.code, message: error.message };
  return { code: 'video_worker_error', message: 'The video job could not be processed.' };
};

/** Rethrows what a task retry may fix as RetryableVideoError, so the state machine's Retry sees it by name. */
export const forStateMachine = (error: unknown): Error => (isRetryable(error) && !(error instanceof RetryableVideoError) ? new RetryableVideoError(error instanceof Error ? error.message : String(error), { cause: error }) : (error as Error));
