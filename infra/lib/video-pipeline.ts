/**
 * The video job pipeline (shared/videos/README.md): the submission queue and its DLQ, the worker function
 * (SQS consumer and the state machine's Task states), and the Standard state machine, whose definition is
 * the module the local runtime also runs (shared/videos/state-machine.ts), with the worker's ARN substituted.
 *
 * The state machine's name is fixed per stage and its ARN formatted, not referenced: the worker starts
 * executions of the machine that invokes the worker, and a reference each way would be a dependency cycle.
 * Submitters and cancellers are bound with `bindSubmitter` / `bindCanceller`, which grant the permission and
 * set the environment variable in one call, like `Storage.bindTable`; `bindFamilies` binds the route families
 * as `VIDEO_ROLES` (access.ts) lists them.
 */
import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { VIDEO_QUEUE, videoDeadLetterQueueName, videoQueueName } from '../../shared/videos/queue.ts';
import { VIDEO_DEFAULTS, VIDEO_ENV, executionTimeoutSeconds } from '../../shared/videos/settings.ts';
import { TASK_TIMEOUT_SECONDS, WORKER_ARN_PLACEHOLDER, videoStateMachineJson } from '../../shared/videos/state-machine.ts';
import type { Family } from '../../shared/routes.ts';
import { VIDEO_ROLES } from './access.ts';
import { ComposeFunction } from './family-function.ts';
import type { Storage } from './storage.ts';

/** One invocation submits a batch or runs one task; the longest is a store, which streams a video into S3. */
export const VIDEO_WORKER = { memoryMB: 512, timeoutSeconds: TASK_TIMEOUT_SECONDS, batchSize: 5 } as const;

// Lambda refuses an SQS event source whose queue hides a message for less time than the function may run.
if (VIDEO_QUEUE.visibilityTimeoutSeconds < VIDEO_WORKER.timeoutSeconds) {
  throw new Error('the video queue visibility timeout must be at least the video worker timeout');
}

export const videoStateMachineName = (stage: string): string => `compose-${stage}-video-jobs`;

export interface VideoPipelineProps {
  /** The shared layer (shared-layer.ts): the worker's bundle imports its packages. */
  readonly sharedLayer: lambda.ILayerVersion;
  readonly stage: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly sourceMaps: boolean;
  /** The worker's tables (videos; ledgers for refunds), media bucket and provider secret come from here. */
  readonly storage: Storage;
  /** Seconds between provider polls (the Wait state). */
  readonly pollSeconds?: number;
  /** How long a provider may take before the job is failed as timed out. */
  readonly jobTimeoutSeconds?: number;
  readonly tracing?: boolean;
  readonly reservedConcurrency?: number;
}

export class VideoPipeline extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly worker: ComposeFunction;
  readonly stateMachine: sfn.StateMachine;
  /** Formatted from the fixed name (see the file comment). */
  readonly stateMachineArn: string;
  private readonly executionsArn: string;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: VideoPipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.stage = props.stage;
    const jobTimeoutSeconds = props.jobTimeoutSeconds ?? VIDEO_DEFAULTS.jobTimeoutSeconds;
    const name = videoStateMachineName(props.stage);
    this.stateMachineArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.executionsArn = stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: videoDeadLetterQueueName(props.stage),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(VIDEO_QUEUE.dlqRetentionSeconds),
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: videoQueueName(props.stage),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(VIDEO_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: VIDEO_QUEUE.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });

    this.worker = new ComposeFunction(this, 'Worker', {
      name: 'video-worker',
      description: `Compose Inference ${props.stage}: video jobs (submits from the queue, the state machine's poll/store/fail tasks)`,
      memoryMB: VIDEO_WORKER.memoryMB,
      timeoutSeconds: VIDEO_WORKER.timeoutSeconds,
      stage: props.stage,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      sourceMaps: props.sourceMaps,
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrency: props.reservedConcurrency } : {}),
      // Its bundle imports the adapters, the bottom tier and the AWS SDK from the shared layer.
      layers: [props.sharedLayer],
      environment: {
        [VIDEO_ENV.stateMachineArn]: this.stateMachineArn,
        [VIDEO_ENV.pollSeconds]: String(props.pollSeconds ?? VIDEO_DEFAULTS.pollSeconds),
        [VIDEO_ENV.jobTimeoutSeconds]: String(jobTimeoutSeconds),
        [VIDEO_ENV.maxReceives]: String(VIDEO_QUEUE.maxReceiveCount),
      },
    });
    const fn = this.worker.function;
    props.storage.bindTable(fn, 'videos');
    // Refunds credit a failed job's charge back to the Compose Key's ledger.
    props.storage.bindTable(fn, 'ledgers');
    props.storage.bindMediaBucket(fn);
    props.storage.bindProviderSecrets(fn);
    // Queue and state machine invoke the `live` alias, so a rollback moves them too.
    const live = this.worker.alias;
    live.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: VIDEO_WORKER.batchSize,
        // Each message is reported on its own; a failed submission is delivered again, up to the DLQ.
        reportBatchItemFailures: true,
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }));

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention: props.logRetention, removalPolicy: props.removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(videoStateMachineJson({ timeoutSeconds: executionTimeoutSeconds(jobTimeoutSeconds) })),
      definitionSubstitutions: { [WORKER_ARN_PLACEHOLDER]: live.functionArn },
      tracingEnabled: props.tracing !== false,
      // Execution data holds prompts, so it stays out of the logs; transitions and errors are logged.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      removalPolicy: props.removalPolicy,
    });
    live.grantInvoke(this.stateMachine);

    NagSuppressions.addResourceSuppressions(
      this.stateMachine,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: 'CDK grants the state machine X-Ray and CloudWatch Logs delivery actions, which do not support resource-level permissions.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }

  /** Binds each family's function to what `VIDEO_ROLES` says it does with video jobs (submit, cancel). */
  bindFamilies(functions: Readonly<Record<Family, lambda.Function>>): void {
    for (const family of VIDEO_ROLES.submit) this.bindSubmitter(functions[family]);
    for (const family of VIDEO_ROLES.cancel) this.bindCanceller(functions[family]);
  }

  /** SendMessage on the queue, and its URL in VIDEO_QUEUE_URL: for the functions that accept submissions. */
  bindSubmitter(fn: lambda.Function): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment(VIDEO_ENV.queueUrl, this.queue.queueUrl);
  }

  /** StopExecution on this machine's executions, and its ARN in VIDEO_STATE_MACHINE_ARN: for the functions that cancel. */
  bindCanceller(fn: lambda.Function): void {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['states:StopExecution'], resources: [this.executionsArn] }));
    fn.addEnvironment(VIDEO_ENV.stateMachineArn, this.stateMachineArn);
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "Executions are named by video job ids at run time, so StopExecution is granted on this state machine's executions.",
          // The ARN is formatted (see the file comment): a partition token without a region, a literal with one.
          appliesTo: [{ regex: `/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):states:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{12}):execution:${videoStateMachineName(this.stage)}:\\*$/` }],
        },
      ],
      true,
    );
  }
}
