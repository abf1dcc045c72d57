/**
 * One stage of Compose Inference. The stack only wires: storage, the shared layer, one function per family
 * (bound to what `accessOf` says it may touch), the API built from the route table, and custom domains.
 * The video pipeline (issue 6) drops in as one more construct taking `storage` and `functions`.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PLATFORM_FEE_ENV } from '../../shared/pricing/fee.ts';
import type { Family } from '../../shared/routes.ts';
import { FAMILY_NAMES, accessOf } from './access.ts';
import { Api } from './api.ts';
import type { StageConfig } from './config.ts';
import { CustomDomain } from './custom-domain.ts';
import { FamilyFunction } from './family-function.ts';
import { SHARED_ASSETS_DIR, SHARED_ASSETS_ENV, SharedLayer } from './shared-layer.ts';
import { Storage } from './storage.ts';

/**
 * The default x402 network (CAIP-2) for payment challenges. No payments module reads a network from the
 * environment yet; this is the name the stack offers.
 */
export const X402_NETWORK_ENV = 'X402_NETWORK';

export interface ComposeStackProps extends StackProps {
  readonly config: StageConfig;
}

export class ComposeStack extends Stack {
  readonly config: StageConfig;
  readonly storage: Storage;
  readonly sharedLayer: SharedLayer;
  readonly functions: Readonly<Record<Family, FamilyFunction>>;
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
          [X402_NETWORK_ENV]: config.x402Network,
        },
      });
      const access = accessOf(family);
      for (const table of access.tables) this.storage.bindTable(fn.function, table);
      if (access.media) this.storage.bindMediaBucket(fn.function);
      if (access.providerSecrets) this.storage.bindProviderSecrets(fn.function);
      functions[family] = fn;
    }
    this.functions = functions;

    const handlers = Object.fromEntries(FAMILY_NAMES.map((f) => [f, functions[f].function])) as Record<Family, FamilyFunction['function']>;
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
