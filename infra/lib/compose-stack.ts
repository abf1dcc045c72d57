/**
 * One stage of Compose Inference. The stack only wires: storage, the shared layer, one function per family
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
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      sourceMaps: config.sourceMaps,
      storage: this.storage,
      environment: x402Environment(config),
    });
    if (config.x402PayTo) {
      for (const family of FAMILY_NAMES) if (chargingOf(family) === 'payment') this.settlements.bindSender(functions[family].function);
    }

    this.videos = new VideoPipeline(this, 'Videos', {
      stage: config.stage,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
      sourceMaps: config.sourceMaps,
      storage: this.storage,
    });
    // The video route and the Responses routes enqueue; `POST /v1/responses/{id}/cancel` (inference) stops executions.
    const handlers = Object.fromEntries(FAMILY_NAMES.map((f) => [f, functions[f].function])) as Record<Family, FamilyFunction['function']>;
    this.videos.bindFamilies(handlers);

    this.api = new Api(this, 'Api', {
      stage: config.stage,
      functions: handlers,
      throttle: config.throttle,
      logRetention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    new CfnOutput(this, 'ApiUrl', { description: 'execute-api URL of this stage', value: this.api.restApi.url });

    this.domains = config.domains.map((domain) => new CustomDomain(this, `Domain-${domain.domainName}`, { ...domain, restApi: this.api.restApi }));
  }
}
