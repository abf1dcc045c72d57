/**
 * What on-call sees of a stage: one SNS topic every alarm notifies (e-mail subscribers and an optional existing
 * topic from the stage config), the alarms docs/operations.md explains one by one, and one dashboard to open
 * first. Alarm names are `compose-<stage>-<what>`, so a notification says which stage and what broke.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { LOG_EVENT, METRIC, METRICS_NAMESPACE } from '../../layers/core/observability/names.ts';
import type { AlarmConfig } from './config.ts';

/** A function as the dashboard groups it: a route family or a worker. */
export interface MonitoredFunction {
  readonly name: string;
  readonly function: lambda.IFunction;
  readonly logGroup: logs.ILogGroup;
}

export interface MonitoringProps {
  readonly stage: string;
  readonly alarms: AlarmConfig;
  readonly functions: readonly MonitoredFunction[];
  /** Log groups of the functions that settle x402 and may log an unqueued settlement. */
  readonly settlingLogGroups: readonly logs.ILogGroup[];
  readonly restApi: apigw.RestApi;
  /** By their short name (`ledgers`, `nonces`, …), which names their alarm. */
  readonly tables: Readonly<Record<string, dynamodb.ITable>>;
  readonly settlementsDlq: sqs.IQueue;
  readonly videosDlq: sqs.IQueue;
  readonly stateMachine: sfn.IStateMachine;
  /** API p99 latency (ms) above which on-call hears of it; streamed generations make this a loose bound. */
  readonly p99LatencyMs?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly stage: string;
  private readonly externalTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.stage = props.stage;

    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `compose-${props.stage}-alarms`,
      displayName: `Compose Inference ${props.stage} alarms`,
      // cdk-nag SNS3: publishers must use TLS.
      enforceSSL: true,
    });
    NagSuppressions.addResourceSuppressions(this.topic, [
      {
        id: 'AwsSolutions-SNS2',
        reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; notifications carry alarm names and states only, never data.',
      },
    ]);
    for (const email of props.alarms.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    if (props.alarms.topicArn) this.externalTopic = sns.Topic.fromTopicArn(this, 'ExternalTopic', props.alarms.topicArn);

    // Money first: a settlement that cannot be retried, or one parked after its retries, is revenue at risk.
    const dlqDepth = (queue: sqs.IQueue) => queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
    this.alarm('settlements-dlq', dlqDepth(props.settlementsDlq), 0, 'x402 settlements failed every retry and are parked in the DLQ (docs/operations.md#settlements-dlq).');
    this.alarm('videos-dlq', dlqDepth(props.videosDlq), 0, 'Video job submissions failed every retry and are parked in the DLQ (docs/operations.md#videos-dlq).');

    // A metric filter cannot set a constant dimension, so the stage is in the namespace.
    const logMetricsNamespace = `${METRICS_NAMESPACE}/Logs/${props.stage}`;
    const unqueued = new cloudwatch.Metric({
      namespace: logMetricsNamespace,
      metricName: 'UnqueuedSettlements',
      statistic: 'Sum',
      period: Duration.minutes(1),
    });
    props.settlingLogGroups.forEach((logGroup, i) => {
      new logs.MetricFilter(this, `UnqueuedSettlementsFilter${i}`, {
        logGroup,
        // Powertools writes the event at the top level; matched nested too, in case Lambda wraps the line.
        filterPattern: logs.FilterPattern.any(
          logs.FilterPattern.stringValue('$.event', '=', LOG_EVENT.settlementUnqueued),
          logs.FilterPattern.stringValue('$.message.event', '=', LOG_EVENT.settlementUnqueued),
        ),
        metricNamespace: logMetricsNamespace,
        metricName: 'UnqueuedSettlements',
        metricValue: '1',
      });
    });
    this.alarm('unqueued-settlements', unqueued, 0, 'An x402 settlement failed and could not be queued: resend it by hand (docs/operations.md#unqueued-settlements).');

    for (const { name, function: fn } of props.functions) {
      this.alarm(`${name}-errors`, fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), 5, `The ${name} function failed invocations (uncaught errors, timeouts).`);
      this.alarm(`${name}-throttles`, fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }), 0, `The ${name} function was throttled: concurrency is exhausted.`);
    }

    this.alarm('api-5xx', props.restApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), 5, 'The API answered 5XX (gateway or function failures).');
    this.alarm(
      'api-p99-latency',
      props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      props.p99LatencyMs ?? 60_000,
      'API p99 latency is high (streamed generations included).',
      3,
    );

    for (const [name, table] of Object.entries(props.tables)) {
      const throttles = new cloudwatch.MathExpression({
        expression: 'r + w',
        usingMetrics: {
          r: table.metric('ReadThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
          w: table.metric('WriteThrottleEvents', { period: FIVE_MINUTES, statistic: 'Sum' }),
        },
        label: 'Throttled reads + writes',
        period: FIVE_MINUTES,
      });
      this.alarm(`dynamodb-throttles-${name}`, throttles, 0, `DynamoDB throttled reads or writes on the ${name} table.`);
    }

    this.alarm('video-executions-failed', props.stateMachine.metricFailed({ period: FIVE_MINUTES, statistic: 'Sum' }), 0, 'Video job executions failed (the job was failed and refunded, or a task broke).');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: `compose-${props.stage}`, defaultInterval: Duration.hours(3) });
    // Powertools metrics carry `service` (the function) and `stage` (shared/observability); searches pick this stage.
    const search = (metricName: string, keys: string, statistic: string, label: string) =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${keys}} MetricName="${metricName}" stage="${props.stage}"', '${statistic}', 300)`,
        label,
        period: FIVE_MINUTES,
      });
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'API requests and errors', left: [props.restApi.metricCount({ period: FIVE_MINUTES })], right: [props.restApi.metricServerError({ period: FIVE_MINUTES }), props.restApi.metricClientError({ period: FIVE_MINUTES })], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'API latency p50 / p99 (ms)', left: [props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' })], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'First byte from the provider (ms)', left: [search(METRIC.firstByteLatency, 'service,stage', 'p99', 'p99')], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Settlements by outcome', left: [search(METRIC.settlements, 'outcome,service,stage', 'Sum', '')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Settlement DLQs and unqueued', left: [dlqDepth(props.settlementsDlq), dlqDepth(props.videosDlq), unqueued], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Spend per model (USD)', left: [search(METRIC.spend, 'model,service,stage', 'Sum', '')], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Provider errors by code', left: [search(METRIC.providerErrors, 'code,service,stage', 'Sum', '')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Calls', left: [search(METRIC.calls, 'family,service,stage', 'Sum', '')], right: [search(METRIC.staleHoldReleases, 'service,stage', 'Sum', '')], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Video executions', left: [props.stateMachine.metricSucceeded({ period: FIVE_MINUTES }), props.stateMachine.metricFailed({ period: FIVE_MINUTES })], width: 8 }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Lambda errors per function', left: props.functions.map((f) => f.function.metricErrors({ period: FIVE_MINUTES, label: f.name })), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Lambda throttles per function', left: props.functions.map((f) => f.function.metricThrottles({ period: FIVE_MINUTES, label: f.name })), width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Lambda concurrency per function', left: props.functions.map((f) => f.function.metric('ConcurrentExecutions', { period: FIVE_MINUTES, statistic: 'Maximum', label: f.name })), width: 8 }),
    );
  }

  /** The relayer's gas balance per network, below `minimum` (native units); missing data (the check stopped) breaches. */
  addRelayerGasAlarm(networks: readonly string[], minimum: number): void {
    for (const network of networks) {
      const metric = new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: METRIC.relayerGas,
        dimensionsMap: { service: 'relayer-gas-check', stage: this.stage, network },
        statistic: 'Minimum',
        period: Duration.minutes(15),
      });
      this.alarm(`relayer-gas-${network.replace(':', '-')}`, metric, minimum, `The x402 relayer wallet's gas on ${network} is below ${minimum}: top it up (docs/operations.md#relayer-gas).`, 1, {
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
  }

  private alarm(
    name: string,
    metric: cloudwatch.IMetric,
    threshold: number,
    description: string,
    evaluationPeriods = 1,
    overrides: Partial<cloudwatch.CreateAlarmOptions> = {},
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `Alarm-${name}`, {
      alarmName: `compose-${this.stage}-${name}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...overrides,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    if (this.externalTopic) alarm.addAlarmAction(new actions.SnsAction(this.externalTopic));
    this.alarms.push(alarm);
    return alarm;
  }
}
