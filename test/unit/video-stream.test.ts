/**
 * The status stream's ending rules, on a clock the test moves (no timed assertions): a job that finishes, a
 * client timeout, and a Lambda invocation that would end first (the 15-minute limit) with a resume URL.
 */
import { describe, expect, it } from 'vitest';
import type { VideoStatus } from '../../shared/videos/job.ts';
import { videoStatusEvents, type VideoStatusEvent } from '../../shared/videos/status-stream.ts';
import { parseStreamParams } from '../../shared/videos/stream-params.ts';
import type { VideoObject } from '../../shared/videos/view.ts';

const video = (status: VideoStatus, progress = 0) => ({ id: 'video_x', object: 'video', status, progress }) as unknown as VideoObject;

const collect = async (options: { statuses: VideoStatus[]; pollIntervalMs: number; timeoutMs: number; lambdaRemainingMs: number }) => {
  let now = 1_000_000;
  let reads = 0;
  const events: VideoStatusEvent[] = [];
  for await (const event of videoStatusEvents({
    jobId: 'video_x',
    params: { pollIntervalMs: options.pollIntervalMs, timeoutMs: options.timeoutMs },
    read: async () => video(options.statuses[Math.min(reads++, options.statuses.length - 1)]!, reads * 10),
    remainingMs: () => options.lambdaRemainingMs,
    marginMs: 10_000,
    path: '/v1/videos/video_x/stream',
    signal: new AbortController().signal,
    sleep: async (ms) => void (now += ms),
    now: () => now,
  })) {
    events.push(event);
  }
  return events;
};

describe('the video status stream', () => {
  it('sends one event per interval and a final one when the job is done', async () => {
    const events = await collect({ statuses: ['queued', 'in_progress', 'in_progress', 'completed'], pollIntervalMs: 2_000, timeoutMs: 600_000, lambdaRemainingMs: 900_000 });
    expect(events.map((e) => [e.video.status, e.final])).toEqual([
      ['queued', false],
      ['in_progress', false],
      ['in_progress', false],
      ['completed', true],
    ]);
    expect(events.at(-1)).toMatchObject({ resumable: false, reason: 'done' });
  });

  it('ends at the client timeout with an event to resume from', async () => {
    const events = await collect({ statuses: ['in_progress'], pollIntervalMs: 1_000, timeoutMs: 5_000, lambdaRemainingMs: 900_000 });
    expect(events).toHaveLength(6); // at 0, 1, …, 5 s: the last one at the timeout
    expect(events.at(-1)).toMatchObject({ final: true, resumable: true, reason: 'timeout', resume_url: '/v1/videos/video_x/stream?pollIntervalMs=1000&timeoutMs=600000' });
  });

  it('ends before Lambda\u2019s 15 minutes with what is left of the client timeout in the resume URL', async () => {
    const events = await collect({ statuses: ['in_progress'], pollIntervalMs: 30_000, timeoutMs: 3_600_000, lambdaRemainingMs: 900_000 });
    // 900 s less the 10 s margin: 30 events at 0, 30, …, 870 s; the last one cannot wait another 30 s.
    expect(events).toHaveLength(30);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ final: true, resumable: true, reason: 'lambda_time_limit' });
    expect(last.resume_url).toBe(`/v1/videos/video_x/stream?pollIntervalMs=30000&timeoutMs=${3_600_000 - 870_000}`);
  });
});

describe('stream query bounds', () => {
  it('defaults, accepts the bounds, refuses outside them', () => {
    expect(parseStreamParams({})).toEqual({ pollIntervalMs: 2_000, timeoutMs: 600_000 });
    expect(parseStreamParams({ pollIntervalMs: '500', timeoutMs: '3600000' })).toEqual({ pollIntervalMs: 500, timeoutMs: 3_600_000 });
    expect(parseStreamParams({ pollIntervalMs: '30000', timeoutMs: '5000' })).toEqual({ pollIntervalMs: 30_000, timeoutMs: 5_000 });
    expect(() => parseStreamParams({ pollIntervalMs: '1.5' })).toThrow(expect.objectContaining({ status: 400, code: 'invalid_poll_interval' }));
    expect(() => parseStreamParams({ timeoutMs: '3600001' })).toThrow(expect.objectContaining({ status: 400, code: 'timeout_out_of_range', param: 'timeoutMs' }));
  });
});
