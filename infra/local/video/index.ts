/**
 * The video pipeline as it runs in the cloud, on loopback: the video queue and DLQ on the SQS stand-in, a
 * Step Functions stand-in running the deployed state machine definition, the worker function fed real SQS
 * events by a poller (Lambda's event source mapping) and invoked by the state machine's Task states, and —
 * when no OpenAI key is set — a simulator of OpenAI's video API. Nothing skips the queue or the state machine.
 *
 * Two steps, because the handlers read their environment when they load: `startLocalVideoPipeline` creates
 * what the environment names; `start()` loads the worker and starts polling once the environment is in place.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { PROVIDER_VARIABLES } from '../../../layers/providers/credentials.ts';
import { VIDEO_BASE_URL_ENV } from '../../../shared/videos/adapters.ts';
import { VIDEO_ENV } from '../../../shared/videos/settings.ts';
import { substituteWorkerArn, videoStateMachineJson } from '../../../shared/videos/state-machine.ts';
import { executionTimeoutSeconds, videoWorkerSettingsFromEnv } from '../../../shared/videos/settings.ts';
import { startOpenAIVideoSimulator, type OpenAIVideoSimulator, type OpenAIVideoSimulatorOptions } from '../simulators/openai-video/server.ts';
import { startSqsPoller, type SqsHandler } from '../sqs-poller.ts';
import { createLocalVideoQueues, type LocalVideoQueues } from './queues.ts';
import { startLocalStepFunctions, type LocalStepFunctions, type LocalTaskHandler } from './step-functions.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

export const localWorkerArn = (stage: string): string => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:compose-${stage}-video-worker`;
export const localStateMachineArn = (stage: string): string => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:compose-${stage}-video-jobs`;

export interface LocalVideoPipelineOptions {
  readonly stage: string;
  readonly sqs: SQSClient;
  /** The environment the runtime is starting with: decides whether OpenAI video is simulated, and the worker's settings. */
  readonly env: NodeJS.ProcessEnv;
  /** Test knobs: shorter Wait states and retry intervals (the definition is unchanged), a faster simulator. */
  readonly waitMs?: number;
  readonly retryMs?: number;
  readonly simulator?: OpenAIVideoSimulatorOptions;
  /** How soon a failed submission is delivered again (Lambda leaves it to the visibility timeout). */
  readonly retryDelaySeconds?: number;
}

export interface LocalVideoPipeline {
  /** Variables for every function: queue, state machine, SFN endpoint, and the video simulator's base URL. */
  readonly env: Readonly<Record<string, string>>;
  readonly queues: LocalVideoQueues;
  readonly stepFunctions: LocalStepFunctions;
  readonly stateMachineArn: string;
  /** The OpenAI video simulator, when one was started. */
  readonly simulator: OpenAIVideoSimulator | undefined;
  readonly banner: readonly string[];
  /** Loads the worker (after the environment is set) and starts feeding it the queue. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const workerModule = new URL('../../../functions/video-worker/handler.ts', import.meta.url).href;
const loadWorker = async () => (await import(workerModule)) as { handler: SqsHandler & LocalTaskHandler };

export const startLocalVideoPipeline = async (options: LocalVideoPipelineOptions): Promise<LocalVideoPipeline> => {
  const queues = await createLocalVideoQueues(options.sqs, options.stage);
  const workerArn = localWorkerArn(options.stage);
  const stateMachineArn = localStateMachineArn(options.stage);
  const settings = videoWorkerSettingsFromEnv(options.env);
  const definition = substituteWorkerArn(videoStateMachineJson({ timeoutSeconds: executionTimeoutSeconds(settings.jobTimeoutSeconds) }), workerArn);
  const stepFunctions = await startLocalStepFunctions({
    stateMachines: [{ arn: stateMachineArn, definition }],
    handlers: { [workerArn]: async () => (await loadWorker()).handler },
    ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
  });
  const simulate = (options.env[PROVIDER_VARIABLES.openai.apiKey] ?? '').trim() === '';
  const simulator = simulate ? await startOpenAIVideoSimulator(options.simulator) : undefined;
  const env: Record<string, string> = {
    [VIDEO_ENV.queueUrl]: queues.queueUrl,
    [VIDEO_ENV.stateMachineArn]: stateMachineArn,
    AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint,
    ...(simulator ? { [VIDEO_BASE_URL_ENV.openai!]: simulator.url } : {}),
  };
  let poller: { stop(): Promise<void> } | undefined;
  return {
    env,
    queues,
    stepFunctions,
    stateMachineArn,
    simulator,
    banner: simulator ? [`openai videos: simulated at ${simulator.url} (set ${PROVIDER_VARIABLES.openai.apiKey} to use the real provider)`] : [],
    start: async () => {
      const { handler } = await loadWorker();
      poller = startSqsPoller({
        sqs: options.sqs,
        queueUrl: queues.queueUrl,
        queueArn: queues.queueArn,
        handler,
        batchSize: 10,
        ...(options.retryDelaySeconds !== undefined ? { retryDelaySeconds: options.retryDelaySeconds } : {}),
      });
    },
    close: async () => {
      await poller?.stop();
      await stepFunctions.close();
      await simulator?.close();
    },
  };
};
