/**
 * Per-stage configuration. A stage is chosen with `-c stage=<name>`; everything else has a default so a bare
 * `cdk synth` works. Overrides come from the `stages.<name>` object in cdk.json and then from single context
 * keys (`-c domainName=… -c certificateArn=… -c basePath=…`), so a one-off deploy needs no file edit.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export interface DomainConfig {
  /** e.g. `api.compose.market` or a tenant's `ai.tenant.example`. */
  readonly domainName: string;
  /** A regional ACM certificate in the stack's region that covers `domainName`. */
  readonly certificateArn: string;
  /** Path prefix on the domain; empty maps the API at the root (our paths already start with `/v1`). */
  readonly basePath?: string;
}

export interface StageConfig {
  readonly stage: string;
  /** Custom domains; empty means the API is reached on its execute-api URL only. */
  readonly domains: readonly DomainConfig[];
  readonly logRetention: RetentionDays;
  /** Applied to tables, buckets, log groups and the secret. */
  readonly removalPolicy: RemovalPolicy;
  /** Platform fee added to every quote, in basis points. */
  readonly platformFeeBps: number;
  /** CAIP-2 id of the chain x402 payments settle on. */
  readonly x402Network: string;
  /** Stage-wide API Gateway throttle (requests/s, burst). */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Media outputs are served by presigned URL and expire after this many days. */
  readonly mediaExpiryDays: number;
  /** External source maps plus `--enable-source-maps`: readable stack traces, slower cold starts. */
  readonly sourceMaps: boolean;
}

const BASE_SEPOLIA = 'eip155:84532';
const BASE_MAINNET = 'eip155:8453';

/** prod keeps data and pays real USDC; every other stage is disposable and uses the test network. */
const defaultsFor = (stage: string): StageConfig =>
  stage === 'prod'
    ? {
        stage,
        domains: [],
        logRetention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
        platformFeeBps: 100,
        x402Network: BASE_MAINNET,
        throttle: { rateLimit: 1000, burstLimit: 2000 },
        mediaExpiryDays: 30,
        sourceMaps: false,
      }
    : {
        stage,
        domains: [],
        logRetention: RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
        platformFeeBps: 100,
        x402Network: BASE_SEPOLIA,
        throttle: { rateLimit: 50, burstLimit: 100 },
        mediaExpiryDays: 7,
        sourceMaps: true,
      };

/** The subset of StageConfig that cdk.json may set, in JSON-friendly types. */
export interface StageOverrides {
  readonly domains?: readonly DomainConfig[];
  readonly logRetentionDays?: number;
  readonly removalPolicy?: 'retain' | 'destroy';
  readonly platformFeeBps?: number;
  readonly x402Network?: string;
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  readonly mediaExpiryDays?: number;
  readonly sourceMaps?: boolean;
}

/** Reads a context value; CDK gives `-c` values as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const STAGE_NAME = /^[a-z][a-z0-9-]{0,20}$/;
const RETENTIONS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

const fail = (message: string): never => {
  throw new Error(`Invalid stage config: ${message}`);
};

const asInteger = (value: unknown, key: string, min: number, max: number): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(`${key} must be an integer in [${min}, ${max}]`);
  return n as number;
};

const asDomain = (value: DomainConfig): DomainConfig => {
  if (!value.domainName || !/^[a-z0-9.-]+$/i.test(value.domainName)) fail(`domainName "${value.domainName}" is not a host name`);
  if (!/^arn:aws[a-z-]*:acm:/.test(value.certificateArn ?? '')) fail(`certificateArn for ${value.domainName} must be an ACM certificate ARN`);
  const basePath = value.basePath?.replace(/^\/+|\/+$/g, '');
  return { domainName: value.domainName, certificateArn: value.certificateArn, ...(basePath ? { basePath } : {}) };
};

const applyOverrides = (base: StageConfig, o: StageOverrides): StageConfig => ({
  ...base,
  ...(o.domains ? { domains: o.domains.map(asDomain) } : {}),
  ...(o.logRetentionDays !== undefined
    ? { logRetention: RETENTIONS.has(o.logRetentionDays) ? (o.logRetentionDays as RetentionDays) : fail(`logRetentionDays ${o.logRetentionDays} is not a CloudWatch retention`) }
    : {}),
  ...(o.removalPolicy ? { removalPolicy: o.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY } : {}),
  ...(o.platformFeeBps !== undefined ? { platformFeeBps: asInteger(o.platformFeeBps, 'platformFeeBps', 0, 10_000) } : {}),
  ...(o.x402Network ? { x402Network: /^eip155:\d+$/.test(o.x402Network) ? o.x402Network : fail('x402Network must be a CAIP-2 eip155 id') } : {}),
  ...(o.throttle
    ? { throttle: { rateLimit: asInteger(o.throttle.rateLimit, 'throttle.rateLimit', 1, 100_000), burstLimit: asInteger(o.throttle.burstLimit, 'throttle.burstLimit', 1, 100_000) } }
    : {}),
  ...(o.mediaExpiryDays !== undefined ? { mediaExpiryDays: asInteger(o.mediaExpiryDays, 'mediaExpiryDays', 1, 3650) } : {}),
  ...(o.sourceMaps !== undefined ? { sourceMaps: o.sourceMaps === true || String(o.sourceMaps) === 'true' } : {}),
});

/** Resolves the stage and its config from CDK context (`app.node.tryGetContext`). */
export const resolveStageConfig = (context: ContextReader): StageConfig => {
  const stage = String(context('stage') ?? 'dev');
  if (!STAGE_NAME.test(stage)) fail(`stage "${stage}" must match ${STAGE_NAME}`);

  const stages = (context('stages') ?? {}) as Record<string, StageOverrides>;
  let config = applyOverrides(defaultsFor(stage), stages[stage] ?? {});

  const domainName = context('domainName');
  const certificateArn = context('certificateArn');
  if (domainName !== undefined || certificateArn !== undefined) {
    const basePath = context('basePath');
    config = applyOverrides(config, {
      domains: [{ domainName: String(domainName ?? ''), certificateArn: String(certificateArn ?? ''), ...(basePath ? { basePath: String(basePath) } : {}) }],
    });
  }
  return config;
};
