/**
 * The video pipeline construct, asserted on a stack that holds only it and the storage it binds to (the full
 * stack's test covers the wiring into the app). The state machine in the template is the definition module the
 * local runtime runs, byte for byte, with the worker's ARN substituted by CloudFormation.
 */
import { App, Aspects, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAMILY_NAMES, VIDEO_ROLES } from '../../infra/lib/access.ts';
import { Storage } from '../../infra/lib/storage.ts';
import type { Family } from '../../shared/routes.ts';
import { VIDEO_WORKER, VideoPipeline, videoStateMachineName } from '../../infra/lib/video-pipeline.ts';
import { MEDIA_BUCKET_ENV, TABLES } from '../../layers/core/tables.ts';
import { VIDEO_QUEUE } from '../../shared/videos/queue.ts';
import { VIDEO_ENV, executionTimeoutSeconds } from '../../shared/videos/settings.ts';
import { VIDEO_STATES, WORKER_ARN_PLACEHOLDER, videoStateMachineJson } from '../../shared/videos/state-machine.ts';

let stack: Stack;
let template: Template;
let annotations: Annotations;
let pipeline: VideoPipeline;
let families: Record<Family, lambda.Function>;
const JOB_TIMEOUT = 1_800;

const logicalIdOf = (construct: { node: { defaultChild?: unknown } }): string => stack.resolve((construct.node.defaultChild as lambda.CfnFunction).logicalId) as string;

beforeAll(() => {
  // No CloudFormation validation: without cdk.json's flag it could only warn, and the stacks that deploy this
  // construct are validated in infra-cli.test.ts.
  const app = new App({ builtinCloudFormationValidation: false });
  stack = new Stack(app, 'VideoTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const storage = new Storage(stack, 'Storage', { stage: 'test', removalPolicy: RemovalPolicy.DESTROY, mediaExpiryDays: 7 });
  pipeline = new VideoPipeline(stack, 'Videos', {
    stage: 'test',
    storage,
    logRetention: RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
    sourceMaps: false,
    pollSeconds: 10,
    jobTimeoutSeconds: JOB_TIMEOUT,
    sharedLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'SharedLayer', 'arn:aws:lambda:eu-west-1:123456789012:layer:compose-test:1'),
  });
  // Stand-ins for the route families' functions, bound as the stack binds them (VIDEO_ROLES).
  families = Object.fromEntries(
    FAMILY_NAMES.map((family) => [family, new lambda.Function(stack, `Family-${family}`, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=()=>{}') })]),
  ) as Record<Family, lambda.Function>;
  pipeline.bindFamilies(families);
  for (const fn of Object.values(families)) {
    NagSuppressions.addResourceSuppressions(fn, [{ id: 'AwsSolutions-IAM4', reason: 'test stand-in' }, { id: 'AwsSolutions-L1', reason: 'test stand-in' }], true);
  }
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  // Annotations first: they force a synth, which the template then reuses (the other way round synthesizes twice).
  annotations = Annotations.fromStack(stack);
  template = Template.fromStack(stack);
});

describe('video pipeline (CDK)', () => {
  it('has a queue with a dead-letter queue, encrypted, TLS only, visibility covering a worker run', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'compose-test-videos',
      VisibilityTimeout: VIDEO_QUEUE.visibilityTimeoutSeconds,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(pipeline.deadLetterQueue), 'Arn'] }, maxReceiveCount: VIDEO_QUEUE.maxReceiveCount },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'compose-test-videos-dlq', MessageRetentionPeriod: VIDEO_QUEUE.dlqRetentionSeconds, SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    expect(VIDEO_QUEUE.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(VIDEO_WORKER.timeoutSeconds);
  });

  it("feeds the worker's live alias from the queue with partial batch failures", () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] },
      FunctionName: stack.resolve(pipeline.worker.alias.functionName),
      BatchSize: VIDEO_WORKER.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('runs a Standard state machine named per stage, whose definition is the shared module with the worker ARN substituted', () => {
    const machines = template.findResources('AWS::StepFunctions::StateMachine');
    expect(Object.keys(machines)).toHaveLength(1);
    const props = Object.values(machines)[0]!.Properties;
    expect(props.StateMachineType).toBe('STANDARD');
    expect(props.StateMachineName).toBe(videoStateMachineName('test'));
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    expect(props.DefinitionString).toBe(videoStateMachineJson({ timeoutSeconds: executionTimeoutSeconds(JOB_TIMEOUT) }));
    // The worker's `live` alias, so a rollback moves the state machine's tasks too.
    expect(props.DefinitionSubstitutions).toEqual({ [WORKER_ARN_PLACEHOLDER]: { Ref: logicalIdOf(pipeline.worker.alias) } });
    const definition = JSON.parse(props.DefinitionString);
    expect(definition.StartAt).toBe(VIDEO_STATES.wait);
    expect(definition.States[VIDEO_STATES.wait]).toMatchObject({ Type: 'Wait', Next: VIDEO_STATES.poll });
    expect(definition.States[VIDEO_STATES.poll]).toMatchObject({ Type: 'Task', Resource: `\${${WORKER_ARN_PLACEHOLDER}}`, Next: VIDEO_STATES.choice });
    expect(definition.States[VIDEO_STATES.choice]).toMatchObject({ Type: 'Choice', Default: VIDEO_STATES.wait });
  });

  it("lets the state machine invoke the worker's live alias, and only that", () => {
    const workerArn = { Ref: logicalIdOf(pipeline.worker.alias) };
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: workerArn })]) },
      Roles: [{ Ref: stack.resolve((pipeline.stateMachine.role.node.defaultChild as lambda.CfnFunction).logicalId) }],
    });
  });

  it('gives the worker StartExecution on its machine, its tables, the media bucket and the provider secret, with the environment to find them', () => {
    const arn = stack.resolve(pipeline.stateMachineArn);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution', Resource: arn })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [VIDEO_ENV.stateMachineArn]: arn,
          [VIDEO_ENV.pollSeconds]: '10',
          [VIDEO_ENV.jobTimeoutSeconds]: String(JOB_TIMEOUT),
          [VIDEO_ENV.maxReceives]: String(VIDEO_QUEUE.maxReceiveCount),
          [TABLES.videos.envVar]: Match.anyValue(),
          [TABLES.ledgers.envVar]: Match.anyValue(),
          [MEDIA_BUCKET_ENV]: Match.anyValue(),
        }),
      },
      Timeout: VIDEO_WORKER.timeoutSeconds,
      Architectures: ['arm64'],
    });
    expect(JSON.stringify(arn)).toContain(':stateMachine:compose-test-video-jobs');
  });

  it('binds submitters to SendMessage with the queue URL, and cancellers to StopExecution on its executions', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [logicalIdOf(pipeline.queue), 'Arn'] } })]) },
    });
    const stops = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).filter((s) => s.Action === 'states:StopExecution'),
    );
    expect(stops).toHaveLength(1);
    expect(JSON.stringify(stops[0]!.Resource)).toContain(':states:eu-west-1:123456789012:execution:compose-test-video-jobs:*');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ [VIDEO_ENV.queueUrl]: { Ref: logicalIdOf(pipeline.queue) } }) } });
  });

  /** The IAM statements attached to a function's role, and its environment. */
  const grantsOf = (fn: lambda.Function) => {
    const role = { Ref: stack.resolve((fn.role!.node.defaultChild as lambda.CfnFunction).logicalId) };
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([role]))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    const variables = (template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]!.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    return { actions, variables };
  };

  it('lets the video route and both Responses routes submit (SendMessage, queue URL), and only inference cancel', () => {
    expect(VIDEO_ROLES.submit).toEqual(expect.arrayContaining(['videos', 'external', 'inference']));
    const queueUrl = { Ref: logicalIdOf(pipeline.queue) };
    for (const family of FAMILY_NAMES) {
      const { actions, variables } = grantsOf(families[family]);
      const submits = (VIDEO_ROLES.submit as readonly Family[]).includes(family);
      const cancels = (VIDEO_ROLES.cancel as readonly Family[]).includes(family);
      expect({ family, send: actions.includes('sqs:SendMessage'), url: variables[VIDEO_ENV.queueUrl] }).toEqual({ family, send: submits, url: submits ? queueUrl : undefined });
      expect({ family, stop: actions.includes('states:StopExecution'), arn: variables[VIDEO_ENV.stateMachineArn] !== undefined }).toEqual({ family, stop: cancels, arn: cancels });
    }
    expect(grantsOf(families.inference).actions).toEqual(expect.arrayContaining(['sqs:SendMessage', 'states:StopExecution']));
  });

  it('passes the AwsSolutions checks', () => {
    const findings = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(findings.map((f) => `${f.id}: ${String(f.entry.data).slice(0, 160)}`)).toEqual([]);
  });
});
