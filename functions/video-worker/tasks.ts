/**
 * The Step Functions side of the worker: the Task states of shared/videos/state-machine.ts call the worker
 * with `{task, jobId, deadlineAt}` (and the whole state for `fail`). Each task reads the job first, so a job
 * cancelled meanwhile ends its execution at the next poll even if StopExecution never arrived.
 */
import { Readable } from 'node:stream';
import { UpstreamError } from '../../layers/core/errors.ts';
import { failVideoJob } from '../../shared/videos/failure.ts';
import { OPEN_STATUSES, VIDEO_STATUS, type VideoJob, type VideoJobError } from '../../shared/videos/job.ts';
import { POLL_STATUS, VIDEO_TASKS, type PollStatus, type VideoTaskName } from '../../shared/videos/state-machine.ts';
import type { VideoWorkerDeps } from './deps.ts';
import { forStateMachine, RetryableVideoError } from './errors.ts';

export interface VideoTaskInput {
  readonly task: VideoTaskName;
  readonly jobId: string;
  readonly deadlineAt: number;
  /** The execution's state, for `fail`: `poll` (what the provider said) or `error` (what a task threw). */
  readonly state?: { readonly poll?: PollResult; readonly error?: { readonly Error?: string; readonly Cause?: string } };
}

export interface PollResult {
  readonly status: PollStatus;
  readonly progress?: number;
  readonly error?: VideoJobError;
}

const CALL_TIMEOUT_MS = 60_000;
const options = (job: VideoJob) => ({ signal: AbortSignal.timeout(CALL_TIMEOUT_MS), requestId: job.id });

/** A job that has left the open statuses tells the Choice state how to end. */
const settledAs = (job: VideoJob | undefined): PollResult | undefined => {
  if (!job || job.status === VIDEO_STATUS.cancelled) return { status: POLL_STATUS.cancelled };
  if (job.status === VIDEO_STATUS.completed) return { status: POLL_STATUS.completed };
  if (job.status === VIDEO_STATUS.failed) return { status: POLL_STATUS.failed };
  return undefined;
};

const adapterOf = (deps: VideoWorkerDeps, job: VideoJob) => {
  const adapter = deps.adapterFor(job.provider);
  if (!adapter.pollVideo || !job.providerJobId) throw new Error(`job ${job.id} cannot be polled`);
  return { poll: adapter.pollVideo.bind(adapter), providerJobId: job.providerJobId };
};

const poll = async (deps: VideoWorkerDeps, input: VideoTaskInput): Promise<PollResult> => {
  const job = await deps.jobs.read(input.jobId, true);
  const settled = settledAs(job);
  if (settled || !job) return settled ?? { status: POLL_STATUS.cancelled };
  if (Date.now() > input.deadlineAt) return { status: POLL_STATUS.timedOut };
  const { poll: pollVideo, providerJobId } = adapterOf(deps, job);
  const state = await pollVideo(providerJobId, options(job));
  if (state.status === 'completed') return { status: POLL_STATUS.completed };
  if (state.status === 'failed') return { status: POLL_STATUS.failed, error: state.error };
  const progress = Math.max(job.progress, Math.min(99, Math.round(state.progress ?? job.progress)));
  const updated = await deps.jobs.transition(job.id, OPEN_STATUSES, { status: VIDEO_STATUS.inProgress, progress });
  return updated ? { status: POLL_STATUS.pending, progress } : (settledAs(await deps.jobs.read(job.id, true)) ?? { status: POLL_STATUS.pending, progress });
};

/** Streams the provider's file into the media bucket, then completes the job (or removes the file if it was cancelled meanwhile). */
const store = async (deps: VideoWorkerDeps, input: VideoTaskInput) => {
  const job = await deps.jobs.read(input.jobId, true);
  if (!job || job.status !== VIDEO_STATUS.inProgress) return { stored: false, status: job?.status ?? 'missing' };
  const { poll: pollVideo, providerJobId } = adapterOf(deps, job);
  const state = await pollVideo(providerJobId, options(job));
  if (state.status !== 'completed') throw new RetryableVideoError(`the provider reports ${state.status} for a finished video`);
  const response = await (deps.download ?? fetch)(state.videoUrl, { headers: { ...state.headers }, signal: AbortSignal.timeout(240_000) });
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new UpstreamError(response.status >= 500 || response.status === 429 ? 502 : 400, 'video_download_failed', `The provider's video could not be downloaded (HTTP ${response.status}).`);
  }
  const declared = Number(response.headers.get('content-length'));
  // A length lets the bytes stream straight into S3; without one they are counted in memory first.
  const [body, bytes] = Number.isFinite(declared) && declared > 0 ? [response.body, declared] : await buffered(response);
  const key = await deps.storage.put(job.id, body, bytes, response.headers.get('content-type') ?? 'video/mp4');
  const done = await deps.jobs.transition(job.id, [VIDEO_STATUS.inProgress], {
    status: VIDEO_STATUS.completed,
    progress: 100,
    videoKey: key,
    videoBytes: bytes,
    completedAt: Math.floor(Date.now() / 1000),
  });
  if (!done) await deps.storage.remove(key);
  return { stored: Boolean(done), bytes };
};

const buffered = async (response: Response): Promise<[ReadableStream<Uint8Array>, number]> => {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return [Readable.toWeb(Readable.from([bytes])) as ReadableStream<Uint8Array>, bytes.length];
};

/** Why the job failed, from the state the execution carried here. */
const failureOf = (input: VideoTaskInput, timeoutSeconds: number): VideoJobError => {
  const { poll: result, error } = input.state ?? {};
  if (result?.status === POLL_STATUS.timedOut) return { code: 'video_timeout', message: `The provider did not finish the video within ${timeoutSeconds} seconds.` };
  if (result?.status === POLL_STATUS.failed) return result.error ?? { code: 'video_generation_failed', message: 'The provider could not generate the video.' };
  // A task that kept failing: its cause may hold internals, so only its name is kept.
  return { code: 'video_worker_error', message: `The video job could not be processed (${error?.Error ?? 'unknown error'}).` };
};

const fail = async (deps: VideoWorkerDeps, input: VideoTaskInput) => {
  const job = await failVideoJob(deps, input.jobId, failureOf(input, deps.settings.jobTimeoutSeconds));
  return { status: job?.status ?? 'missing', refund: job?.refund?.status ?? null };
};

export const runVideoTask = async (deps: VideoWorkerDeps, input: VideoTaskInput): Promise<unknown> => {
  try {
    switch (input.task) {
      case VIDEO_TASKS.poll:
        return await poll(deps, input);
      case VIDEO_TASKS.store:
        return await store(deps, input);
      case VIDEO_TASKS.fail:
        return await fail(deps, input);
      default:
        throw new Error(`unknown video task ${String((input as { task?: unknown }).task)}`);
    }
  } catch (error) {
    throw forStateMachine(error);
  }
};
