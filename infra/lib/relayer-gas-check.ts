/**
 * The scheduled relayer gas check (functions/relayer-gas-check): every five minutes it publishes the relayer
 * wallet's native balance per network with an RPC endpoint; `Monitoring.addRelayerGasAlarm` alarms on it.
 * Only a public address is configured here, never the key.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { X402_ENV } from '../../shared/billing/x402-from-env.ts';
import { ComposeFunction } from './family-function.ts';

export interface RelayerGasCheckProps {
  /** The shared layer (shared-layer.ts): the worker's bundle imports its packages. */
  readonly sharedLayer: lambda.ILayerVersion;
  readonly stage: string;
  readonly address: string;
  /** Minified JSON NetworkConfig array (the stage's x402 networks). */
  readonly networks: string;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly tracing: boolean;
}

export class RelayerGasCheck extends Construct {
  readonly check: ComposeFunction;
  /** The networks the check can read (those with an RPC endpoint): one alarm each. */
  readonly networks: readonly string[];

  constructor(scope: Construct, id: string, props: RelayerGasCheckProps) {
    super(scope, id);
    this.networks = (JSON.parse(props.networks) as { network: string; rpcUrl?: string }[]).filter((n) => n.rpcUrl).map((n) => n.network);
    this.check = new ComposeFunction(this, 'Check', {
      name: 'relayer-gas-check',
      description: `Compose Inference ${props.stage}: publishes the x402 relayer wallet's gas balance`,
      memoryMB: 256,
      timeoutSeconds: 30,
      stage: props.stage,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      sourceMaps: false,
      tracing: props.tracing,
      // Its bundle imports the adapters, the bottom tier and the AWS SDK from the shared layer.
      layers: [props.sharedLayer],
      environment: { X402_RELAYER_ADDRESS: props.address, [X402_ENV.networks]: props.networks },
    });
    new events.Rule(this, 'Schedule', {
      description: `Compose Inference ${props.stage}: relayer gas check`,
      schedule: events.Schedule.rate(Duration.minutes(5)),
      targets: [new targets.LambdaFunction(this.check.alias, { retryAttempts: 0 })],
    });
  }
}
