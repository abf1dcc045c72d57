/**
 * The `compose.video.status` stream: one status event every `pollIntervalMs` until the job is done or the
 * stream's time is up. A Lambda lives at most 15 minutes, so the stream's budget is the smaller of the
 * client's `timeoutMs` and the function's remaining time (less a margin to close cleanly); a stream that ends
 * before the job does says so in its last event (`resumable: true`, `resume_url`), so the client reconnects.
 */
import { isTerminal } from './job.ts';
import { STREAM_BOUNDS, type StreamParams } from './stream-params.ts';
import type { VideoObject } from './view.ts';

export const VIDEO_STATUS_EVENT = 'compose.video.status';

export type StreamEndReason = 'done' | 'timeout' | 'lambda_time_limit';

export interface VideoStatusEvent {
  readonly object: typeof VIDEO_STATUS_EVENT;
  readonly video: VideoObject;
  /** The last event of this stream. */
  readonly final: boolean;
  /** On the final event: the job is still running and the client can pick it up at `resume_url`. */
  readonly resumable?: boolean;
  readonly reason?: StreamEndReason;
  readonly resume_url?: string;
}

export interface StatusStreamOptions {
  readonly jobId: string;
  readonly params: StreamParams;
  /** The job as the client sees it now. */
  readonly read: () => Promise<VideoObject>;
  /** Milliseconds this function may still run (Lambda's `getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  /** Kept free at the end of the invocation to write the last event and close. */
  readonly marginMs: number;
  /** The route the stream was opened on, for the resume URL. */
  readonly path: string;
  readonly signal: AbortSignal;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now?: () => number;
}

const resumeUrl = (path: string, pollIntervalMs: number, timeoutMs: number): string =>
  `${path}?pollIntervalMs=${pollIntervalMs}&timeoutMs=${Math.max(STREAM_BOUNDS.timeoutMs.min, Math.min(STREAM_BOUNDS.timeoutMs.max, Math.round(timeoutMs)))}`;

export async function* videoStatusEvents(options: StatusStreamOptions): AsyncGenerator<VideoStatusEvent> {
  const now = options.now ?? Date.now;
  const { pollIntervalMs, timeoutMs } = options.params;
  const started = now();
  const clientDeadline = started + timeoutMs;
  const lambdaDeadline = started + options.remainingMs() - options.marginMs;
  const deadline = Math.min(clientDeadline, lambdaDeadline);
  while (true) {
    const video = await options.read();
    if (isTerminal(video.status)) {
      yield { object: VIDEO_STATUS_EVENT, video, final: true, resumable: false, reason: 'done' };
      return;
    }
    if (now() + pollIntervalMs > deadline) {
      // Cut short by Lambda: resume with what is left of the client's timeout; by the client's own timeout: afresh.
      const byLambda = lambdaDeadline < clientDeadline;
      const left = byLambda ? clientDeadline - now() : STREAM_BOUNDS.timeoutMs.default;
      yield {
        object: VIDEO_STATUS_EVENT,
        video,
        final: true,
        resumable: true,
        reason: byLambda ? 'lambda_time_limit' : 'timeout',
        resume_url: resumeUrl(options.path, pollIntervalMs, left),
      };
      return;
    }
    yield { object: VIDEO_STATUS_EVENT, video, final: false };
    await options.sleep(pollIntervalMs, options.signal);
  }
}
