/**
 * One stage of Compose Inference. The stack only wires: storage, the shared layer (the adapters, the bottom tier
 * and the AWS SDK every function imports, and the catalog data; attached to every function), one function per family
 * (bound to what `accessOf` says it may touch), the API built from the route table, and custom domains.
 * Payments: Compose Key settings on every charging family; x402 settings and the settlement retry queue
 * on families with `payment` routes, when x402 is configured (payments.ts, settlement-queue.ts).
 * The video pipeline (video-pipeline.ts): its queue and state machine, bound to the families that submit and cancel.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PLATFORM_FEE_ENV } from '../../shared/pricing/fee.ts';
import type { Family } from '../../shared/routes.ts';
import { FAMILY_NAMES, accessOf, chargingOf } from './access.ts';
import { Api } from './api.ts';
import type { StageConfig } from './config.ts';
import { CustomDomain } from './custom-domain.ts';
import { FamilyFunction } from './family-function.ts';
import { composeKeysEnvironment, x402Environment } from './payments.ts';
import { SettlementQueue } from './settlement-queue.ts';
import { SHARED_ASSETS_DIR, SHARED_ASSETS_ENV, SharedLayer } from './shared-layer.ts';
import { Storage } from './storage.ts';
import { VideoPipeline } from './video-pipeline.ts';
import { Monitoring } from './monitoring.ts';
import { RelayerGasCheck } from './relayer-gas-check.ts';
import { WebAcl } from './waf.ts';

export interface ComposeStackProps extends StackProps {
  readonly config: StageConfig;
}

export class ComposeStack extends Stack {
  readonly config: StageConfig;
  readonly storage: Storage;
  readonly sharedLayer: SharedLayer;
  readonly functions: Readonly<Record<Family, FamilyFunction>>;
  readonly settlements: SettlementQueue;
  readonly videos: VideoPipeline;
  readonly api: Api;
  readonly domains: readonly CustomDomain[];
  readonly monitoring: Monitoring;
  readonly webAcl?: WebAcl;
  readonly relayerGasCheck?: RelayerGasCheck;

  constructor(scope: Construct, id: string, props: ComposeStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    this.storage = new Storage(this, 'Storage', {
      stage: config.stage,
      removalPolicy: config.removalPolicy,
      mediaExpiryDays: config.mediaExpiryDays,
    });
    this.sharedLayer = new SharedLayer(this, 'SharedLayer', { stage: config.stage, removalPolicy: config.removalPolicy });

    const functions = {} as Record<Family, FamilyFunction>;
    for (const family of FAMILY_NAMES) {
      const charging = chargingOf(family);
      const fn = new FamilyFunction(this, `${family}Function`, {
        family,
        stage: config.stage,
        logRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
        sourceMaps: config.sourceMaps,
        tracing: config.tracing,
        functionTracer: config.functionTracer,
        ...(config.memoryMB[family] !== undefined ? { memoryMB: config.memoryMB[family] } : {}),
        ...(config.reservedConcurrency[family] !== undefined ? { reservedConcurrency: config.reservedConcurrency[family] } : {}),
        layers: [this.sharedLayer.layer],
        environment: {
          [SHARED_ASSETS_ENV]: SHARED_ASSETS_DIR,
          [PLATFORM_FEE_ENV]: String(config.platformFeeBps),
          ...(charging !== 'none' ? composeKeysEnvironment(config) : {}),
          // x402 code needs the nonces table, which only `payment` families hold (access.ts).
          ...(charging === 'payment' ? x402Environment(config) : {}),
        },
      });
      const access = accessOf(family);
      for (const table of access.tables) this.storage.bindTable(fn.function, table);
      if (access.media) this.storage.bindMediaBucket(fn.function);
      if (access.providerSecrets) this.storage.bindProviderSecrets(fn.function);
      functions[family] = fn;
    }
    this.functions = functions;

    // Always deployed, so turning x402 off never deletes a queue that still holds settlements.
    this.settlements = new SettlementQueue(this, 'Settlements', {
      stage: config.stage,
      sharedLayer: this.sharedLayer.layer,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      sourceMaps: config.sourceMaps,
      storage: this.storage,
      environment: x402Environment(config),
      tracing: config.tracing,
      ...(config.reservedConcurrency['settlement-worker'] !== undefined ? { reservedConcurrency: config.reservedConcurrency['settlement-worker'] } : {}),
    });
    if (config.x402PayTo) {
      for (const family of FAMILY_NAMES) if (chargingOf(family) === 'payment') this.settlements.bindSender(functions[family].function);
    }

    this.videos = new VideoPipeline(this, 'Videos', {
      stage: config.stage,
      sharedLayer: this.sharedLayer.layer,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      sourceMaps: config.sourceMaps,
      storage: this.storage,
      tracing: config.tracing,
      ...(config.reservedConcurrency['video-worker'] !== undefined ? { reservedConcurrency: config.reservedConcurrency['video-worker'] } : {}),
    });
    // The video route and the Responses routes enqueue; `POST /v1/responses/{id}/cancel` (inference) stops executions.
    const handlers = Object.fromEntries(FAMILY_NAMES.map((f) => [f, functions[f].function])) as Record<Family, FamilyFunction['function']>;
    this.videos.bindFamilies(handlers);

    // API Gateway invokes each family's `live` alias, which `npm run rollback` can move back a version.
    const aliases = Object.fromEntries(FAMILY_NAMES.map((f) => [f, functions[f].alias])) as Record<Family, FamilyFunction['alias']>;
    this.api = new Api(this, 'Api', {
      stage: config.stage,
      functions: aliases,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      waf: config.waf !== undefined,
      tracing: config.tracing,
    });
    new CfnOutput(this, 'ApiUrl', { description: 'execute-api URL of this stage', value: this.api.restApi.url });

    this.domains = config.domains.map((domain) => new CustomDomain(this, `Domain-${domain.domainName}`, { ...domain, restApi: this.api.restApi }));

    if (config.waf) {
      this.webAcl = new WebAcl(this, 'WebAcl', { stage: config.stage, stageArn: this.api.restApi.deploymentStage.stageArn, ratePerIp: config.waf.ratePerIp });
    }

    const monitored = [
      ...FAMILY_NAMES.map((family) => ({ name: family as string, function: functions[family].function, logGroup: functions[family].logGroup })),
      { name: 'settlement-worker', function: this.settlements.worker.function, logGroup: this.settlements.worker.logGroup },
      { name: 'video-worker', function: this.videos.worker.function, logGroup: this.videos.worker.logGroup },
    ];
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stage: config.stage,
      alarms: config.alarms,
      functions: monitored,
      // Where `enqueueOrLog` can run: the payment families' functions.
      settlingLogGroups: FAMILY_NAMES.filter((f) => chargingOf(f) === 'payment').map((f) => functions[f].logGroup),
      restApi: this.api.restApi,
      tables: this.storage.tables,
      settlementsDlq: this.settlements.deadLetterQueue,
      videosDlq: this.videos.deadLetterQueue,
      stateMachine: this.videos.stateMachine,
    });

    if (config.x402RelayerAddress) {
      this.relayerGasCheck = new RelayerGasCheck(this, 'RelayerGas', {
        stage: config.stage,
        sharedLayer: this.sharedLayer.layer,
        address: config.x402RelayerAddress,
        networks: config.x402Networks,
        logRetention: config.logRetention,
        removalPolicy: config.removalPolicy,
        tracing: config.tracing,
      });
      this.monitoring.addRelayerGasAlarm(this.relayerGasCheck.networks, config.x402RelayerMinGas);
    }
    new CfnOutput(this, 'AlarmTopicArn', { description: 'SNS topic every alarm of this stage notifies', value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { description: 'CloudWatch dashboard of this stage', value: `compose-${config.stage}` });
  }
}
