/**
 * One Lambda function per route family, with the house defaults: Node 24 on arm64, an ESM bundle built
 * locally by esbuild from node_modules (never Docker), split into chunks so code behind an `import()` is loaded
 * on first use, with the shared layer's modules and the AWS SDK left to the layer and the runtime (function-bundle.ts), JSON logs in a log group with retention,
 * and X-Ray tracing. Memory and timeout come from FAMILIES, so the route table stays the one
 * place that says how a family runs.
 */
import type { BuildOptions } from 'esbuild';
import { AssetHashType, DockerImage, Duration, type BundlingOptions, type ILocalBundling, type RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../layers/core/observability/names.ts';
import { FAMILIES, FAMILY_NODE_OPTIONS, type Family } from '../../shared/routes.ts';
import { bundleFunction, functionBundleKeyOptions, LAMBDA_HANDLER } from './function-bundle.ts';
import { PROJECT_ROOT } from './paths.ts';

/** `Runtime.NODEJS_24_X` where aws-cdk-lib has it, else the same runtime declared by name. */
export const NODE_RUNTIME: lambda.Runtime =
  (lambda.Runtime as unknown as Record<string, lambda.Runtime | undefined>)['NODEJS_24_X'] ??
  new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });

/**
 * esbuild in a child process (build-function.ts: the build's plugin needs esbuild's asynchronous API), writing a
 * function's entry and chunks into the asset's output folder. Its options are a field because the CDK keys its
 * asset cache on the bundling options' JSON: two functions (or the same one with and without source maps) must
 * not share a cached bundle.
 */
class LocalEsbuild implements ILocalBundling {
  readonly esbuild: BuildOptions;
  readonly name: string;
  readonly sourceMaps: boolean;

  constructor(name: string, sourceMaps: boolean) {
    this.name = name;
    this.sourceMaps = sourceMaps;
    this.esbuild = functionBundleKeyOptions(name, { sourceMaps });
  }

  tryBundle(outputDir: string): boolean {
    bundleFunction(this.name, outputDir, { sourceMaps: this.sourceMaps });
    return true;
  }
}

/** Bundling that always succeeds locally; the image is required by the type and never pulled. */
const localBundling = (name: string, sourceMaps: boolean): BundlingOptions => ({
  image: DockerImage.fromRegistry('compose-inference/local-esbuild-only'),
  local: new LocalEsbuild(name, sourceMaps),
});

/** What every Compose function shares; a route family or a worker supplies its entry and sizing. */
export interface ComposeFunctionProps {
  /** Folder under `functions/` holding `handler.ts`. */
  readonly name: string;
  readonly description: string;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  readonly stage: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly sourceMaps: boolean;
  readonly layers: readonly lambda.ILayerVersion[];
  readonly environment: Readonly<Record<string, string>>;
  /** X-Ray active tracing and the Powertools Tracer (shared/observability). */
  readonly tracing?: boolean;
  /** With `tracing`: false keeps Lambda's active tracing but not the in-process Powertools Tracer (StageConfig.functionTracer). */
  readonly functionTracer?: boolean;
  /** Reserved concurrency; undefined takes the account's unreserved pool. */
  readonly reservedConcurrency?: number;
}

export interface FamilyFunctionProps extends Omit<ComposeFunctionProps, 'name' | 'description' | 'memoryMB' | 'timeoutSeconds'> {
  readonly family: Family;
  /** The stage's size for this family (StageConfig.memoryMB); FAMILIES' default otherwise. */
  readonly memoryMB?: number;
}

/**
 * cdk-nag's finding for an AWS managed policy, whichever way the partition renders (a token without a region, a
 * literal with one): matched by rule and policy name, never by a formatted ARN string.
 */
export const awsManagedPolicy = (name: string): { regex: string } => ({
  regex: `/^Policy::arn:(<AWS::Partition>|aws[a-z-]*):iam::aws:policy\\/${name.replace(/[/.-]/g, (c) => `\\${c}`)}$/`,
});

/** NODE_OPTIONS of one function: its family's flags (shared/routes.ts) and source maps when asked. */
const nodeOptions = (name: string, sourceMaps: boolean | undefined): { NODE_OPTIONS?: string } => {
  const flags = [...(sourceMaps ? ['--enable-source-maps'] : []), ...(FAMILY_NODE_OPTIONS[name] ? [FAMILY_NODE_OPTIONS[name]] : [])];
  return flags.length ? { NODE_OPTIONS: flags.join(' ') } : {};
};

/** The alias every caller (API Gateway, SQS, Step Functions) invokes; `npm run rollback` moves it. */
export const LIVE_ALIAS = 'live';

export class ComposeFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  /** `live`: points at the version this deploy published; callers invoke it, never `$LATEST`. */
  readonly alias: lambda.Alias;

  constructor(scope: Construct, id: string, props: ComposeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: props.removalPolicy });

    this.function = new lambda.Function(this, 'Function', {
      description: props.description,
      // esbuild reads the entry and what it imports from the project; the asset is its output, hashed by content
      // so an unchanged bundle publishes no new version.
      code: lambda.Code.fromAsset(PROJECT_ROOT, { assetHashType: AssetHashType.OUTPUT, bundling: localBundling(props.name, props.sourceMaps) }),
      handler: LAMBDA_HANDLER,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMB,
      timeout: Duration.seconds(props.timeoutSeconds),
      tracing: props.tracing === false ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      layers: [...props.layers],
      environment: {
        STAGE: props.stage,
        // Powertools (shared/observability): service name for logs and metrics, the tracer switch.
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_TRACE_ENABLED: String(props.tracing !== false && props.functionTracer !== false),
        ...nodeOptions(props.name, props.sourceMaps),
        ...props.environment,
      },
    });

    // A new version per deploy whose code or configuration changed; the alias follows it, and rollback moves it back.
    this.alias = new lambda.Alias(this, 'Live', { aliasName: LIVE_ALIAS, version: this.function.currentVersion });

    NagSuppressions.addResourceSuppressions(
      this.function,
      [
        {
          id: 'AwsSolutions-IAM4',
          reason: 'AWSLambdaBasicExecutionRole only allows writing this function\'s own CloudWatch logs; it is the documented Lambda baseline.',
          appliesTo: [awsManagedPolicy('service-role/AWSLambdaBasicExecutionRole')],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: 'X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions.',
          appliesTo: ['Resource::*'],
        },
      ],
      true,
    );
  }
}

/** One function per route family; memory (unless the stage sets it) and timeout come from the route table's FAMILIES. */
export class FamilyFunction extends ComposeFunction {
  readonly family: Family;
  readonly streaming: boolean;

  constructor(scope: Construct, id: string, props: FamilyFunctionProps) {
    const spec = FAMILIES[props.family];
    super(scope, id, {
      ...props,
      name: props.family,
      description: `Compose Inference ${props.stage}: ${props.family} routes${spec.streaming ? ' (response streaming)' : ''}`,
      memoryMB: props.memoryMB ?? spec.memoryMB,
      timeoutSeconds: spec.timeoutSeconds,
    });
    this.family = props.family;
    this.streaming = spec.streaming;
  }
}
