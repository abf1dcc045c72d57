/**
 * Per-stage configuration. A stage is chosen with `-c stage=<name>`; everything else has a default so a bare
 * `cdk synth` works. Overrides come from the `stages.<name>` object in cdk.json and then from single context
 * keys (`-c domainName=… -c certificateArn=… -c basePath=…`, and the payment keys in PAYMENT_CONTEXT_KEYS),
 * so a one-off deploy needs no file edit.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { getAddress, isAddress } from 'viem';
import { AVALANCHE_FUJI, BASE_SEPOLIA as BASE_SEPOLIA_USDC, type NetworkConfig } from '../../layers/x402/networks.ts';
import { validateJwks } from '../../shared/keys/config.ts';

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
  /**
   * Public JWKS (minified JSON) Compose Keys are verified against. Unset: the deployment refuses every key
   * with 401 (`unconfiguredKeyVerifier`).
   */
  readonly composeKeysJwks?: string;
  /** The (checksummed) address x402 payments go to; x402 is off when unset. */
  readonly x402PayTo?: string;
  /** The x402 facilitator settlements go through; required with `x402PayTo` (see `checkPayments`). */
  readonly x402FacilitatorUrl?: string;
  /** The networks x402 accepts (minified JSON array of NetworkConfig); unset: the code default, Fuji + Base Sepolia. */
  readonly x402Networks?: string;
  /**
   * Settle-first: `exact` payments of at least this many atomic units settle before the model runs (the payer
   * cannot move the funds mid-call); unset, every call settles after it ran. Atomic integer string.
   */
  readonly x402SettleFirstMinAtomic?: string;
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
  /** A JWKS object, or its JSON text (as `-c` gives it). */
  readonly composeKeysJwks?: string | Readonly<Record<string, unknown>>;
  readonly x402PayTo?: string;
  readonly x402FacilitatorUrl?: string;
  /** An array of `{network, chainId, name, usdc, rpcUrl?}`, or its JSON text. */
  readonly x402Networks?: string | readonly unknown[];
  /** Atomic units (integer, or its text): `exact` payments of at least this settle before the model runs. */
  readonly x402SettleFirstMinAtomic?: string | number;
}

/** Payment settings that may also come as single `-c` keys, after the cdk.json stage object. */
export const PAYMENT_CONTEXT_KEYS = ['composeKeysJwks', 'x402PayTo', 'x402FacilitatorUrl', 'x402Networks', 'x402SettleFirstMinAtomic'] as const;

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

/**
 * Lambda allows 4 KB of environment variables per function, shared with table names, ARNs and the x402
 * settings; a JWKS beyond this would fail the deploy, so it fails the synth instead.
 */
const MAX_JWKS_CHARS = 2048;
const MAX_NETWORKS_CHARS = 1024;
const CAIP2_EIP155 = /^eip155:[1-9]\d{0,15}$/;
/** What the functions accept when X402_NETWORKS is unset (shared/billing/x402-from-env.ts). */
const CODE_DEFAULT_NETWORKS: readonly NetworkConfig[] = [AVALANCHE_FUJI, BASE_SEPOLIA_USDC];

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
    const { network, chainId, name, usdc, rpcUrl, ...rest } = entry as Record<string, unknown>;
    if (Object.keys(rest).length > 0) fail(`${at} has unknown members: ${Object.keys(rest).join(', ')}`);
    if (typeof network !== 'string' || !CAIP2_EIP155.test(network)) fail(`${at}.network must be a CAIP-2 eip155 id`);
    if (network !== `eip155:${String(chainId)}` || !Number.isSafeInteger(chainId)) fail(`${at}.chainId must be the chain id in ${String(network)}`);
    if (typeof name !== 'string' || name.trim() === '') fail(`${at}.name must be a non-empty string`);
    if (seen.has(network as string)) fail(`${at}: ${String(network)} is listed twice`);
    seen.add(network as string);
    return {
      network,
      chainId,
      name,
      usdc: asAddress(usdc, `${at}.usdc`),
      ...(rpcUrl !== undefined ? { rpcUrl: asHttpsUrl(rpcUrl, `${at}.rpcUrl`) } : {}),
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
});

/**
 * x402 settings that only make sense together, checked once every override is applied:
 * - Settlement goes through the facilitator. Relayer settlement would need X402_RELAYER_PRIVATE_KEY, which the
 *   functions read only from their environment (shared/billing/x402-from-env.ts), and a private key must not
 *   be a plain Lambda environment variable; until the code reads it from the provider secret, a stage that
 *   takes x402 without a facilitator would fail at init, so it fails the synth.
 * - The default network must be one of the accepted networks, or the functions fail at init
 *   (`createNetworkRegistry`). prod defaults to Base mainnet, which the code default (Fuji + Base Sepolia)
 *   does not list, so a paying prod stage names its networks.
 */
const checkPayments = (config: StageConfig): StageConfig => {
  if (config.x402PayTo === undefined) return config;
  if (config.x402FacilitatorUrl === undefined) {
    fail('x402PayTo needs x402FacilitatorUrl: relayer settlement would need the relayer private key as a plain environment variable, which the stack does not do');
  }
  const networks = config.x402Networks ? (JSON.parse(config.x402Networks) as NetworkConfig[]) : CODE_DEFAULT_NETWORKS;
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
    config = applyOverrides(config, {
      domains: [{ domainName: String(domainName ?? ''), certificateArn: String(certificateArn ?? ''), ...(basePath ? { basePath: String(basePath) } : {}) }],
    });
  }
  const payments = Object.fromEntries(PAYMENT_CONTEXT_KEYS.map((key) => [key, context(key)]).filter(([, value]) => value !== undefined));
  config = applyOverrides(config, payments as StageOverrides);
  return checkPayments(config);
};
