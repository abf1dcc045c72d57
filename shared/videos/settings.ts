/** The worker's knobs, from its environment (the CDK construct sets them; tests shorten them). */
import { VIDEO_QUEUE } from './queue.ts';

export const VIDEO_ENV = {
  queueUrl: VIDEO_QUEUE.envVar,
  stateMachineArn: 'VIDEO_STATE_MACHINE_ARN',
  /** Seconds the state machine waits between provider polls. */
  pollSeconds: 'VIDEO_POLL_SECONDS',
  /** How long a job may take at the provider before it is failed as timed out. */
  jobTimeoutSeconds: 'VIDEO_JOB_TIMEOUT_SECONDS',
  /** Deliveries before a submission is given up (the queue's maxReceiveCount). */
  maxReceives: 'VIDEO_QUEUE_MAX_RECEIVES',
} as const;

export interface VideoWorkerSettings {
  readonly pollSeconds: number;
  readonly jobTimeoutSeconds: number;
  readonly maxReceives: number;
}

export const VIDEO_DEFAULTS: VideoWorkerSettings = { pollSeconds: 15, jobTimeoutSeconds: 3_600, maxReceives: VIDEO_QUEUE.maxReceiveCount };

const positive = (value: string | undefined, fallback: number): number => {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
};

export const videoWorkerSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): VideoWorkerSettings => ({
  pollSeconds: Math.round(positive(env[VIDEO_ENV.pollSeconds], VIDEO_DEFAULTS.pollSeconds)),
  jobTimeoutSeconds: positive(env[VIDEO_ENV.jobTimeoutSeconds], VIDEO_DEFAULTS.jobTimeoutSeconds),
  maxReceives: Math.round(positive(env[VIDEO_ENV.maxReceives], VIDEO_DEFAULTS.maxReceives)),
});

/**
 * Step Functions' own timeout on an execution: the job deadline plus room for the last poll, the download and
 * the retries. A backstop only; the poll task fails a job at its deadline.
 */
export const executionTimeoutSeconds = (jobTimeoutSeconds: number): number => Math.ceil(jobTimeoutSeconds) + 1_800;
