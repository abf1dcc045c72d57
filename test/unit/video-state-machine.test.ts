/**
 * The state machine definition as deployed (shared/videos/state-machine.ts), run in aws-local-stepfunctions
 * with the worker's tasks answered by scripted handlers: each path through Wait → poll → Choice ends where it
 * should, and what the fail task is given says why.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { POLL_STATUS, RETRYABLE_ERROR, VIDEO_STATES, VIDEO_TASKS, substituteWorkerArn, videoStateMachineJson } from '../../shared/videos/state-machine.ts';

const WORKER = 'arn:aws:lambda:us-east-1:000000000000:function:video-worker';
const definition = JSON.parse(substituteWorkerArn(videoStateMachineJson({ timeoutSeconds: 600 }), WORKER)) as StateMachineDefinition;
const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
const input = { jobId: 'video_test', waitSeconds: 15, deadlineAt: 0 };

/** Runs one execution; `polls` are the poll task's answers in order (an Error is thrown). */
const run = async (polls: readonly (Record<string, unknown> | Error)[], store: () => unknown = () => ({ stored: true })) => {
  const calls: { task: string; input: Record<string, unknown> }[] = [];
  let poll = 0;
  const worker = async (taskInput: unknown) => {
    const call = taskInput as Record<string, unknown>;
    calls.push({ task: String(call.task), input: call });
    if (call.task === VIDEO_TASKS.poll) {
      const answer = polls[Math.min(poll++, polls.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    }
    if (call.task === VIDEO_TASKS.store) return store();
    return { status: 'failed' };
  };
  const tasks = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => (s as { Type: string }).Type === 'Task').map(([name]) => [name, worker]));
  const entered: string[] = [];
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: tasks as never,
      waitTimeOverrides: { [VIDEO_STATES.wait]: 1 },
      retryIntervalOverrides: Object.fromEntries(Object.keys(tasks).map((t) => [t, 1])),
    },
  });
  const logging = (async () => {
    for await (const event of execution.eventLogs) if (event.type === 'StateEntered') entered.push(event.state.name);
  })();
  const outcome = await execution.result.then(
    (output) => ({ ok: true as const, output }),
    (error: Error) => ({ ok: false as const, error }),
  );
  await logging;
  return { outcome, calls, entered };
};

describe('the video state machine definition', () => {
  it('waits and polls until the provider is done, then stores the video and succeeds', async () => {
    const { outcome, calls, entered } = await run([{ status: POLL_STATUS.pending, progress: 10 }, { status: POLL_STATUS.pending, progress: 60 }, { status: POLL_STATUS.completed }]);
    expect(outcome.ok).toBe(true);
    expect(calls.map((c) => c.task)).toEqual(['poll', 'poll', 'poll', 'store']);
    expect(entered).toEqual([
      ...Array(3).fill([VIDEO_STATES.wait, VIDEO_STATES.poll, VIDEO_STATES.choice]).flat(),
      VIDEO_STATES.store,
      VIDEO_STATES.completed,
    ]);
    expect(calls[0]!.input).toEqual({ task: 'poll', jobId: 'video_test', deadlineAt: 0 });
  });

  it('records a provider failure with what the provider said, and fails the execution', async () => {
    const { outcome, calls, entered } = await run([{ status: POLL_STATUS.failed, error: { code: 'moderation_blocked', message: 'no' } }]);
    expect(outcome.ok).toBe(false);
    expect(entered.slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
    const fail = calls.find((c) => c.task === VIDEO_TASKS.fail)!;
    expect(fail.input.state).toMatchObject({ jobId: 'video_test', poll: { status: 'failed', error: { code: 'moderation_blocked' } } });
  });

  it('records a timeout through the same failure path', async () => {
    const { calls, entered } = await run([{ status: POLL_STATUS.pending }, { status: POLL_STATUS.timedOut }]);
    expect(entered.slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
    expect(calls.find((c) => c.task === VIDEO_TASKS.fail)!.input.state).toMatchObject({ poll: { status: 'timed_out' } });
  });

  it('ends quietly when the job was cancelled', async () => {
    const { outcome, calls, entered } = await run([{ status: POLL_STATUS.cancelled }]);
    expect(outcome.ok).toBe(true);
    expect(entered.at(-1)).toBe(VIDEO_STATES.cancelled);
    expect(calls.map((c) => c.task)).toEqual(['poll']);
  });

  it('retries a retryable poll failure, and fails the job on any other error with its name', async () => {
    const retryable = Object.assign(new Error('provider 503'), { name: RETRYABLE_ERROR });
    const retried = await run([retryable, { status: POLL_STATUS.completed }]);
    expect(retried.outcome.ok).toBe(true);
    expect(retried.calls.map((c) => c.task)).toEqual(['poll', 'poll', 'store']);

    const broken = Object.assign(new Error('bug'), { name: 'TypeError' });
    const caught = await run([broken]);
    expect(caught.entered.slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
    expect(caught.calls.find((c) => c.task === VIDEO_TASKS.fail)!.input.state).toMatchObject({ error: { Error: 'TypeError' } });
  });

  it('fails the job when storing the video keeps failing', async () => {
    const { entered, calls } = await run([{ status: POLL_STATUS.completed }], () => {
      throw Object.assign(new Error('S3 down'), { name: RETRYABLE_ERROR });
    });
    expect(calls.filter((c) => c.task === VIDEO_TASKS.store)).toHaveLength(5); // the first try and 4 retries
    expect(entered.slice(-2)).toEqual([VIDEO_STATES.fail, VIDEO_STATES.failed]);
  });
});
