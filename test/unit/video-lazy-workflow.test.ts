/**
 * The videos routes' Step Functions workflow is built on first use (a cancel), not at the cold start: calls pass
 * through to the workflow once it is loaded, concurrent calls share one load, and a failed load is tried again.
 */
import { describe, expect, it } from 'vitest';
import { lazyWorkflow } from '../../shared/videos/lazy-workflow.ts';
import type { VideoExecutionInput, Workflow } from '../../shared/videos/workflow.ts';

const recording = () => {
  const calls: string[] = [];
  const workflow: Workflow = {
    start: async (input: VideoExecutionInput) => {
      calls.push(`start ${input.jobId}`);
    },
    stop: async (jobId: string, cause: string) => {
      calls.push(`stop ${jobId} ${cause}`);
    },
  };
  return { calls, workflow };
};

describe('a lazily built workflow', () => {
  it('loads nothing until called, then once for concurrent calls, and passes every call through', async () => {
    const { calls, workflow } = recording();
    let loads = 0;
    const lazy = lazyWorkflow(async () => {
      loads += 1;
      return workflow;
    });
    expect(loads).toBe(0);
    await Promise.all([lazy.stop('video_1', 'cancelled by the caller'), lazy.start({ jobId: 'video_2', waitSeconds: 5, deadlineAt: 1 })]);
    await lazy.stop('video_3', 'again');
    expect(loads).toBe(1);
    expect(calls.sort()).toEqual(['start video_2', 'stop video_1 cancelled by the caller', 'stop video_3 again']);
  });

  it('rejects the call whose load failed and loads again for the next', async () => {
    const { calls, workflow } = recording();
    let loads = 0;
    const lazy = lazyWorkflow(async () => {
      loads += 1;
      if (loads === 1) throw new Error('chunk not read');
      return workflow;
    });
    await expect(lazy.stop('video_1', 'first')).rejects.toThrow('chunk not read');
    await lazy.stop('video_1', 'second');
    expect(loads).toBe(2);
    expect(calls).toEqual(['stop video_1 second']);
  });
});
