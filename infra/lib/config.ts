/**
 * Per-stage configuration. A stage is chosen with `-c stage=<name>`; everything else has a default so a bare
 * `cdk synth` works. Overrides come from the `stages.<name>` object in cdk.json and then from single context
 * keys (`-c domainName=… -c certificateArn=… -c basePath=…`, and the payment keys in PAYMENT_CONTEXT_KEYS),
 * so a one-off deploy needs no file edit.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { getAddress, isAddress } from 'viem';
import { AVALANCHE_FUJI, AVALANCHE_MAINNET, BASE_MAINNET as BASE_MAINNET_USDC, BASE_SEPOLIA as BASE_SEPOLIA_USDC, type NetworkConfig } from '../../layers/x402/networks.ts';
import { validateJwks } from '../../shared/keys/config.ts';
import { FAMILIES, type Family } from '../../shared/routes.ts';

export interface DomainConfig {
  /** e.g. `api.compose.market` or a tenant's `ai.tenant.example`. */
  readonly domainName: string;
  /** A regional ACM certificate in the stack's region that covers `domainName`. */
  readonly certificateArn: string;
  /** Path prefix on the domain; empty maps the API at the root (our paths already start with `/v1`). */
  readonly basePath?: string;
  /** A Route 53 public hosted zone (id) holding `domainName`: the stack then writes the alias record itself. */
  readonly hostedZoneId?: string;
}

/** Where alarms go: the stage's own SNS topic, with these e-mail subscribers, and optionally an existing topic too. */
export interface AlarmConfig {
  readonly emails: readonly string[];
  /** An existing SNS topic (e.g. the on-call pager's) that every alarm also notifies. */
  readonly topicArn?: string;
}

/** Functions that may get reserved concurrency: the route families and the two queue workers. */
export const CONCURRENCY_KEYS = ['health', 'catalog', 'inference', 'media', 'videos', 'external', 'router', 'settlement-worker', 'video-worker'] as const;
export type ConcurrencyKey = (typeof CONCURRENCY_KEYS)[number];

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
  /**
   * Public JWKS (minified JSON) Compose Keys are verified against. Unset: the deployment refuses every key
   * with 401 (`unconfiguredKeyVerifier`).
   */
  readonly composeKeysJwks?: string;
  /** The (checksummed) address x402 payments go to; x402 is off when unset. */
  readonly x402PayTo?: string;
  /** The x402 facilitator settlements go through; required with `x402PayTo` (see `checkPayments`). */
  readonly x402FacilitatorUrl?: string;
  /** The networks x402 accepts (minified JSON array of NetworkConfig): the stage's built-in list unless overridden. */
  readonly x402Networks: string;
  /**
   * Settle-first: `exact` payments of at least this many atomic units settle before the model runs (the payer
   * cannot move the funds mid-call); unset, every call settles after it ran. Atomic integer string.
   */
  readonly x402SettleFirstMinAtomic?: string;
  /**
   * The stage may deploy without what paid calls need (a Compose Keys JWKS): every paid call is then refused.
   * Off by default, so a forgotten JWKS fails the synth rather than the first customer.
   */
  readonly paymentsOptional: boolean;
  /** The relayer wallet's public address: when set, a scheduled check publishes its gas balance and alarms when low. */
  readonly x402RelayerAddress?: string;
  /** Native-token balance (ETH, AVAX) under which the relayer gas alarm fires. */
  readonly x402RelayerMinGas: number;
  readonly alarms: AlarmConfig;
  /** Reserved concurrency per function; absent keys (and the default, none) take the account's unreserved pool. */
  readonly reservedConcurrency: Readonly<Partial<Record<ConcurrencyKey, number>>>;
  /** A WAF web ACL on the API stage with a per-IP rate rule (requests per 5 minutes); off when unset. */
  readonly waf?: { readonly ratePerIp: number };
  /** X-Ray tracing (API Gateway, Step Functions, Lambda active tracing, and the workers' Powertools Tracer). */
  readonly tracing: boolean;
  /**
   * The Powertools Tracer inside the route families' functions (subsegments for AWS SDK and provider calls), on
   * top of `tracing`. Off by default: the X-Ray SDK tracks every promise through async_hooks, about 4 ms of CPU per
   * Compose Key call in `npm run bench` (lambda-cpu), more than the rest of the call; the platform's traces
   * (API Gateway, Lambda's own segments) cost the function nothing. Turn it on to trace a stage being investigated.
   */
  readonly functionTracer: boolean;
  /**
   * Lambda memory per route family, over FAMILIES' defaults (shared/routes.ts). Memory buys CPU (one vCPU at
   * 1,769 MB) and costs duration: `npm run bench` (lambda-cpu) prints the modeled latency and price per size.
   */
  readonly memoryMB: Readonly<Partial<Record<Family, number>>>;
  /**
   * Deploy the account-level API Gateway CloudWatch role (a once-per-account-and-region stack, shared by every
   * stage). Off where the account already has one that something else manages.
   */
  readonly apiGatewayAccountRole: boolean;
}

const BASE_SEPOLIA = 'eip155:84532';
const BASE_MAINNET = 'eip155:8453';

/** The networks each kind of stage accepts unless `x402Networks` says otherwise. */
export const PRODUCTION_NETWORKS: readonly NetworkConfig[] = [BASE_MAINNET_USDC, AVALANCHE_MAINNET];
// Base Sepolia's USDC signs as "USDC" (per @x402/evm's default assets); Fuji's domain is read from the chain.
export const TEST_NETWORKS: readonly NetworkConfig[] = [AVALANCHE_FUJI, { ...BASE_SEPOLIA_USDC, eip712: { name: 'USDC', version: '2' } }];

const COMMON = {
  domains: [],
  platformFeeBps: 100,
  paymentsOptional: false,
  x402RelayerMinGas: 0.01,
  alarms: { emails: [] },
  reservedConcurrency: {},
  tracing: true,
  functionTracer: false,
  memoryMB: {},
  apiGatewayAccountRole: true,
} as const;

/** prod keeps data and pays real USDC; every other stage is disposable and uses the test network. */
const defaultsFor = (stage: string): StageConfig =>
  stage === 'prod'
    ? {
        ...COMMON,
        stage,
        logRetention: RetentionDays.THREE_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
        x402Network: BASE_MAINNET,
        x402Networks: JSON.stringify(PRODUCTION_NETWORKS),
        throttle: { rateLimit: 1000, burstLimit: 2000 },
        mediaExpiryDays: 30,
        sourceMaps: false,
      }
    : {
        ...COMMON,
        stage,
        logRetention: RetentionDays.TWO_WEEKS,
        removalPolicy: RemovalPolicy.DESTROY,
        x402Network: BASE_SEPOLIA,
        x402Networks: JSON.stringify(TEST_NETWORKS),
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
  /** A JWKS object, or its JSON text (as `-c` gives it). */
  readonly composeKeysJwks?: string | Readonly<Record<string, unknown>>;
  readonly x402PayTo?: string;
  readonly x402FacilitatorUrl?: string;
  /** An array of `{network, chainId, name, usdc, rpcUrl?, eip712?}`, or its JSON text. */
  readonly x402Networks?: string | readonly unknown[];
  /** Atomic units (integer, or its text): `exact` payments of at least this settle before the model runs. */
  readonly x402SettleFirstMinAtomic?: string | number;
  readonly paymentsOptional?: boolean | string;
  readonly x402RelayerAddress?: string;
  readonly x402RelayerMinGas?: number | string;
  /** `{emails: [...], topicArn?}`; `-c alarmEmails=a@x,b@y` and `-c alarmTopicArn=…` also work. */
  readonly alarms?: { readonly emails?: readonly string[]; readonly topicArn?: string };
  readonly reservedConcurrency?: Readonly<Record<string, number>>;
  /** `{ratePerIp}` or `false`. */
  readonly waf?: { readonly ratePerIp: number } | false;
  readonly tracing?: boolean | string;
  readonly functionTracer?: boolean | string;
  /** `{family: MB}`, e.g. `{ "inference": 512 }`. */
  readonly memoryMB?: Readonly<Record<string, number>>;
  readonly apiGatewayAccountRole?: boolean | string;
}

/** Payment settings that may also come as single `-c` keys, after the cdk.json stage object. */
export const PAYMENT_CONTEXT_KEYS = ['composeKeysJwks', 'x402PayTo', 'x402FacilitatorUrl', 'x402Networks', 'x402SettleFirstMinAtomic', 'paymentsOptional', 'x402RelayerAddress'] as const;

/** Reads a context value; CDK gives `-c` values as strings and cdk.json values as JSON. */
export type ContextReader = (key: string) => unknown;

const STAGE_NAME = /^[a-z][a-z0-9-]{0,20}$/;
const RETENTIONS = new Set<number>(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

/** One line that names the setting and what to set; the CDK app (infra/bin/app.ts) prints it and exits non-zero. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

const fail = (message: string): never => {
  throw new StageConfigError(`Invalid stage config: ${message}`);
};

const asBoolean = (value: unknown, key: string): boolean => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail(`${key} must be true or false`);
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;

const asAlarms = (value: StageOverrides['alarms']): AlarmConfig => {
  if (typeof value !== 'object' || value === null) return fail('alarms must be an object {emails: [...], topicArn?}');
  const emails = value.emails ?? [];
  if (!Array.isArray(emails)) fail('alarms.emails must be an array of e-mail addresses');
  for (const email of emails) if (typeof email !== 'string' || !EMAIL.test(email)) fail(`alarms.emails: "${String(email)}" is not an e-mail address`);
  if (value.topicArn !== undefined && !SNS_TOPIC_ARN.test(value.topicArn)) fail(`alarms.topicArn "${value.topicArn}" is not an SNS topic ARN`);
  return { emails: [...emails], ...(value.topicArn ? { topicArn: value.topicArn } : {}) };
};

const asConcurrency = (value: unknown): Partial<Record<ConcurrencyKey, number>> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('reservedConcurrency must be an object {family: count}');
  const out: Partial<Record<ConcurrencyKey, number>> = {};
  for (const [key, count] of Object.entries(value)) {
    if (!(CONCURRENCY_KEYS as readonly string[]).includes(key)) fail(`reservedConcurrency.${key}: not a function (one of ${CONCURRENCY_KEYS.join(', ')})`);
    out[key as ConcurrencyKey] = asInteger(count, `reservedConcurrency.${key}`, 1, 10_000);
  }
  return out;
};

/** Lambda takes 128 MB to 10,240 MB. */
const asMemory = (value: unknown): Partial<Record<Family, number>> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('memoryMB must be an object {family: MB}');
  const out: Partial<Record<Family, number>> = {};
  for (const [key, mb] of Object.entries(value)) {
    if (!(key in FAMILIES)) fail(`memoryMB.${key}: not a route family (one of ${Object.keys(FAMILIES).join(', ')})`);
    out[key as Family] = asInteger(mb, `memoryMB.${key}`, 128, 10_240);
  }
  return out;
};

const asWaf = (value: unknown): { ratePerIp: number } | undefined => {
  if (value === false || value === 'false') return undefined;
  if (typeof value !== 'object' || value === null) return fail('waf must be {ratePerIp: n} or false');
  // WAF's rate-based rules count per 5-minute window; 10 is the smallest limit it takes.
  return { ratePerIp: asInteger((value as { ratePerIp?: unknown }).ratePerIp, 'waf.ratePerIp', 10, 2_000_000_000) };
};

const asPositive = (value: unknown, key: string): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) fail(`${key} must be a positive number`);
  return n as number;
};

const asInteger = (value: unknown, key: string, min: number, max: number): number => {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) fail(`${key} must be an integer in [${min}, ${max}]`);
  return n as number;
};

const asDomain = (value: DomainConfig): DomainConfig => {
  if (!value.domainName || !/^[a-z0-9.-]+$/i.test(value.domainName)) fail(`domainName "${value.domainName}" is not a host name`);
  if (!value.certificateArn) fail(`certificateArn is missing for domain ${value.domainName}: set -c certificateArn=arn:aws:acm:… (a certificate in the stack's region)`);
  if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(value.certificateArn)) fail(`certificateArn for ${value.domainName} must be an ACM certificate ARN`);
  if (value.hostedZoneId !== undefined && !HOSTED_ZONE_ID.test(value.hostedZoneId)) fail(`hostedZoneId "${value.hostedZoneId}" for ${value.domainName} is not a Route 53 hosted zone id`);
  const basePath = value.basePath?.replace(/^\/+|\/+$/g, '');
  return {
    domainName: value.domainName,
    certificateArn: value.certificateArn,
    ...(basePath ? { basePath } : {}),
    ...(value.hostedZoneId ? { hostedZoneId: value.hostedZoneId } : {}),
  };
};

/**
 * Lambda allows 4 KB of environment variables per function, shared with table names, ARNs and the x402
 * settings; a JWKS beyond this would fail the deploy, so it fails the synth instead.
 */
const MAX_JWKS_CHARS = 2048;
const MAX_NETWORKS_CHARS = 1024;
const CAIP2_EIP155 = /^eip155:[1-9]\d{0,15}$/;

/** `-c` values arrive as JSON text, cdk.json values as JSON already. */
const parseJson = (value: unknown, key: string): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return fail(`${key} is not valid JSON`);
  }
};

/** Public keys only, each with a kid and a kty; returned minified, as the functions' env var holds it. */
const asJwks = (value: unknown): string => {
  const parsed = parseJson(value, 'composeKeysJwks');
  try {
    // The runtime's own check (shared/keys/config.ts): a non-empty `keys` array, a kid each, no private members.
    validateJwks(parsed);
  } catch (error) {
    fail(`composeKeysJwks: ${(error as Error).message}`);
  }
  for (const key of (parsed as { keys: Record<string, unknown>[] }).keys) {
    if (typeof key.kty !== 'string') fail(`composeKeysJwks: key ${String(key.kid)} has no kty`);
  }
  const text = JSON.stringify(parsed);
  if (text.length > MAX_JWKS_CHARS) fail(`composeKeysJwks is ${text.length} characters; Lambda's 4 KB environment allows at most ${MAX_JWKS_CHARS} here`);
  return text;
};

/** A 20-byte 0x address (EIP-55 checksum enforced when mixed case), returned checksummed; never the zero address. */
const asAddress = (value: unknown, key: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isAddress(text, { strict: true })) fail(`${key} must be a 0x address (20 bytes; a mixed-case one must match its EIP-55 checksum)`);
  if (/^0x0{40}$/.test(text)) fail(`${key} must not be the zero address`);
  return getAddress(text);
};

/** Function environment variables are not secret: an https URL without user or password. */
const asHttpsUrl = (value: unknown, key: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    fail(`${key} must be an https URL`);
  }
  if (url!.protocol !== 'https:') fail(`${key} must be an https URL`);
  if (url!.username || url!.password) fail(`${key} must not carry credentials: it becomes a plain function environment variable`);
  return text;
};

/** A non-empty array of distinct networks in the NetworkConfig shape (layers/x402/networks.ts); returned minified. */
const asNetworks = (value: unknown): string => {
  const parsed = parseJson(value, 'x402Networks');
  if (!Array.isArray(parsed) || parsed.length === 0) fail('x402Networks must be a non-empty JSON array of {network, chainId, name, usdc, rpcUrl?}');
  const seen = new Set<string>();
  const networks = (parsed as unknown[]).map((entry, i) => {
    const at = `x402Networks[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return fail(`${at} must be an object`);
    const { network, chainId, name, usdc, rpcUrl, eip712, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0) fail(`${at} has unknown members: ${Object.keys(rest).join(', ')}`);
    if (typeof network !== 'string' || !CAIP2_EIP155.test(network)) fail(`${at}.network must be a CAIP-2 eip155 id`);
    if (network !== `eip155:${String(chainId)}` || !Number.isSafeInteger(chainId)) fail(`${at}.chainId must be the chain id in ${String(network)}`);
    if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name must be a non-empty string`);
    if (seen.has(network as string)) fail(`${at}: ${String(network)} is listed twice`);
    const domain = eip712 as { name?: unknown; version?: unknown } | undefined;
    if (domain !== undefined && (typeof domain !== 'object' || domain === null || typeof domain.name !== 'string' || typeof domain.version !== 'string' || Object.keys(domain).length !== 2)) {
      fail(`${at}.eip712 must be {name, version}, the token's EIP-712 domain`);
    }
    seen.add(network as string);
    return {
      network,
      chainId,
      name,
      usdc: asAddress(usdc, `${at}.usdc`),
      ...(rpcUrl !== undefined ? { rpcUrl: asHttpsUrl(rpcUrl, `${at}.rpcUrl`) } : {}),
      ...(domain !== undefined ? { eip712: { name: domain.name, version: domain.version } } : {}),
    };
  });
  const text = JSON.stringify(networks);
  if (text.length > MAX_NETWORKS_CHARS) fail(`x402Networks is ${text.length} characters; Lambda's 4 KB environment allows at most ${MAX_NETWORKS_CHARS} here`);
  return text;
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
  ...(o.composeKeysJwks !== undefined ? { composeKeysJwks: asJwks(o.composeKeysJwks) } : {}),
  ...(o.x402PayTo !== undefined ? { x402PayTo: asAddress(o.x402PayTo, 'x402PayTo') } : {}),
  ...(o.x402FacilitatorUrl !== undefined ? { x402FacilitatorUrl: asHttpsUrl(o.x402FacilitatorUrl, 'x402FacilitatorUrl') } : {}),
  ...(o.x402Networks !== undefined ? { x402Networks: asNetworks(o.x402Networks) } : {}),
  ...(o.x402SettleFirstMinAtomic !== undefined
    ? {
        x402SettleFirstMinAtomic: /^\d{1,30}$/.test(String(o.x402SettleFirstMinAtomic).trim())
          ? String(o.x402SettleFirstMinAtomic).trim()
          : fail('x402SettleFirstMinAtomic must be an atomic amount (an integer of USDC atomic units)'),
      }
    : {}),
  ...(o.paymentsOptional !== undefined ? { paymentsOptional: asBoolean(o.paymentsOptional, 'paymentsOptional') } : {}),
  ...(o.x402RelayerAddress !== undefined ? { x402RelayerAddress: asAddress(o.x402RelayerAddress, 'x402RelayerAddress') } : {}),
  ...(o.x402RelayerMinGas !== undefined ? { x402RelayerMinGas: asPositive(o.x402RelayerMinGas, 'x402RelayerMinGas') } : {}),
  ...(o.alarms !== undefined ? { alarms: asAlarms(o.alarms) } : {}),
  ...(o.reservedConcurrency !== undefined ? { reservedConcurrency: asConcurrency(o.reservedConcurrency) } : {}),
  ...(o.waf !== undefined ? (asWaf(o.waf) ? { waf: asWaf(o.waf)! } : { waf: undefined }) : {}),
  ...(o.tracing !== undefined ? { tracing: asBoolean(o.tracing, 'tracing') } : {}),
  ...(o.functionTracer !== undefined ? { functionTracer: asBoolean(o.functionTracer, 'functionTracer') } : {}),
  ...(o.memoryMB !== undefined ? { memoryMB: asMemory(o.memoryMB) } : {}),
  ...(o.apiGatewayAccountRole !== undefined ? { apiGatewayAccountRole: asBoolean(o.apiGatewayAccountRole, 'apiGatewayAccountRole') } : {}),
});

/**
 * Settings that only make sense together, checked once every override is applied. Each refusal is one line
 * that names the setting to set.
 * - Compose Keys: without a JWKS every key route refuses every call (401), so a stage needs one unless it says
 *   `paymentsOptional`. x402 facilitator or network settings without `x402PayTo` would leave x402 off unnoticed.
 * - Settlement goes through the facilitator. Relayer settlement would need X402_RELAYER_PRIVATE_KEY, which the
 *   functions read only from their environment (shared/billing/x402-from-env.ts), and a private key must not
 *   be a plain Lambda environment variable; a stage that takes x402 without a facilitator fails the synth.
 * - The default network must be one of the accepted networks, or the functions fail at init
 *   (`createNetworkRegistry`).
 */
const checkPayments = (config: StageConfig, explicitNetworks: boolean): StageConfig => {
  if (!config.composeKeysJwks && !config.paymentsOptional) {
    fail(`composeKeysJwks is not set for stage ${config.stage}: every Compose Key call would be refused. Set -c composeKeysJwks="$(npm run -s keys -- jwks)" (or paymentsOptional: true to deploy without payments)`);
  }
  if (config.x402RelayerAddress !== undefined && !(JSON.parse(config.x402Networks) as NetworkConfig[]).some((n) => n.rpcUrl)) {
    fail('x402RelayerAddress needs an x402Networks entry with an rpcUrl: the gas check reads the balance there');
  }
  if (config.x402PayTo === undefined) {
    if (config.x402FacilitatorUrl !== undefined || explicitNetworks) {
      if (!config.paymentsOptional) fail('x402PayTo is not set, but x402 settings are: x402 would be off. Set -c x402PayTo=0x… (the address paid), or remove the x402 settings');
    }
    return config;
  }
  if (config.x402FacilitatorUrl === undefined) {
    fail('x402PayTo needs x402FacilitatorUrl: relayer settlement would need the relayer private key as a plain environment variable, which the stack does not do');
  }
  const networks = JSON.parse(config.x402Networks) as NetworkConfig[];
  if (!networks.some((n) => n.network === config.x402Network)) {
    fail(`x402Network ${config.x402Network} is not among the x402 networks (${networks.map((n) => n.network).join(', ')}); set x402Networks`);
  }
  return config;
};

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
    const hostedZoneId = context('hostedZoneId');
    config = applyOverrides(config, {
      domains: [
        {
          domainName: String(domainName ?? ''),
          certificateArn: String(certificateArn ?? ''),
          ...(basePath ? { basePath: String(basePath) } : {}),
          ...(hostedZoneId ? { hostedZoneId: String(hostedZoneId) } : {}),
        },
      ],
    });
  }
  const payments = Object.fromEntries(PAYMENT_CONTEXT_KEYS.map((key) => [key, context(key)]).filter(([, value]) => value !== undefined));
  config = applyOverrides(config, payments as StageOverrides);
  const alarmEmails = context('alarmEmails');
  const alarmTopicArn = context('alarmTopicArn');
  if (alarmEmails !== undefined || alarmTopicArn !== undefined) {
    config = applyOverrides(config, {
      alarms: {
        emails: alarmEmails !== undefined ? String(alarmEmails).split(',').map((e) => e.trim()).filter(Boolean) : config.alarms.emails,
        ...(alarmTopicArn !== undefined ? { topicArn: String(alarmTopicArn) } : config.alarms.topicArn ? { topicArn: config.alarms.topicArn } : {}),
      },
    });
  }
  const explicitNetworks = stages[stage]?.x402Networks !== undefined || context('x402Networks') !== undefined;
  return checkPayments(config, explicitNetworks);
};
