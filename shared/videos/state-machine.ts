/**
 * The video job state machine, in Amazon States Language, built here ONCE: the CDK construct deploys it (with
 * `definitionSubstitutions` filling in the worker's ARN) and the local runtime runs the very same JSON in
 * aws-local-stepfunctions. Wait → poll → Choice loops until the provider finishes, fails or the deadline passes;
 * then the video is copied to S3, or the failure is recorded (and the money handled, see README.md).
 */

/** The placeholder CDK's `definitionSubstitutions` (and the local runner) replace with the worker's ARN. */
export const WORKER_ARN_PLACEHOLDER = 'VideoWorkerArn';

export const VIDEO_STATES = {
  wait: 'WaitForProvider',
  poll: 'PollProvider',
  choice: 'IsVideoReady',
  store: 'StoreVideo',
  fail: 'RecordFailure',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
} as const;

/** What the worker's task handler is asked to do; the Task states pass it as `task`. */
export const VIDEO_TASKS = { poll: 'poll', store: 'store', fail: 'fail' } as const;
export type VideoTaskName = (typeof VIDEO_TASKS)[keyof typeof VIDEO_TASKS];

/** What the poll task returns, for the Choice state. */
export const POLL_STATUS = {
  pending: 'pending',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  timedOut: 'timed_out',
} as const;
export type PollStatus = (typeof POLL_STATUS)[keyof typeof POLL_STATUS];

/** Errors a Lambda invocation raises that are the platform's, not the worker's: always worth a retry. */
const LAMBDA_TRANSIENT = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

/** A task's own bound: the worker function's timeout (a store streams a whole video into S3). */
export const TASK_TIMEOUT_SECONDS = 300;

/** The worker throws this for provider or network failures that a retry may fix. */
export const RETRYABLE_ERROR = 'RetryableVideoError';

export interface StateMachineOptions {
  /** Hard bound on one execution (Step Functions' own timeout): a backstop above the job deadline. */
  readonly timeoutSeconds: number;
}

const task = (name: VideoTaskName, next: string | undefined, resultPath: string | null, catchTo?: string) => ({
  Type: 'Task',
  Resource: `\${${WORKER_ARN_PLACEHOLDER}}`,
  Parameters: {
    task: name,
    'jobId.$': '$.jobId',
    'deadlineAt.$': '$.deadlineAt',
    // The fail task gets the whole state: it reads `poll` or the caught `error`, whichever is there.
    ...(name === VIDEO_TASKS.fail ? { 'state.$': '$' } : {}),
  },
  ResultPath: resultPath,
  TimeoutSeconds: TASK_TIMEOUT_SECONDS,
  Retry: [
    { ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 },
    { ErrorEquals: [RETRYABLE_ERROR], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 2 },
  ],
  ...(catchTo ? { Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: catchTo }] } : {}),
  ...(next ? { Next: next } : { End: true }),
});

/** The definition, with `${VideoWorkerArn}` where the worker's ARN goes. */
export const videoStateMachineDefinition = (options: StateMachineOptions) => ({
  Comment: 'Compose video job: wait, poll the provider, loop until it is done; store the video in S3 or record the failure.',
  StartAt: VIDEO_STATES.wait,
  TimeoutSeconds: options.timeoutSeconds,
  States: {
    [VIDEO_STATES.wait]: { Type: 'Wait', SecondsPath: '$.waitSeconds', Next: VIDEO_STATES.poll },
    [VIDEO_STATES.poll]: task(VIDEO_TASKS.poll, VIDEO_STATES.choice, '$.poll', VIDEO_STATES.fail),
    [VIDEO_STATES.choice]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.poll.status', StringEquals: POLL_STATUS.completed, Next: VIDEO_STATES.store },
        { Variable: '$.poll.status', StringEquals: POLL_STATUS.failed, Next: VIDEO_STATES.fail },
        { Variable: '$.poll.status', StringEquals: POLL_STATUS.timedOut, Next: VIDEO_STATES.fail },
        { Variable: '$.poll.status', StringEquals: POLL_STATUS.cancelled, Next: VIDEO_STATES.cancelled },
      ],
      Default: VIDEO_STATES.wait,
    },
    [VIDEO_STATES.store]: task(VIDEO_TASKS.store, VIDEO_STATES.completed, '$.store', VIDEO_STATES.fail),
    [VIDEO_STATES.fail]: task(VIDEO_TASKS.fail, VIDEO_STATES.failed, '$.failure'),
    [VIDEO_STATES.completed]: { Type: 'Succeed' },
    [VIDEO_STATES.cancelled]: { Type: 'Succeed' },
    [VIDEO_STATES.failed]: { Type: 'Fail', Error: 'VideoJobFailed', Cause: 'The video job failed or timed out; the job item records why.' },
  },
});

/** The definition as Step Functions takes it, with `${VideoWorkerArn}` left for substitution. */
export const videoStateMachineJson = (options: StateMachineOptions): string => JSON.stringify(videoStateMachineDefinition(options));

/** The definition with the placeholder filled in: what the local runner executes. */
export const substituteWorkerArn = (definitionJson: string, workerArn: string): string => definitionJson.replaceAll(`\${${WORKER_ARN_PLACEHOLDER}}`, workerArn);
