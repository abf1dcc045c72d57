/**
 * Where provider keys and settings come from. Settings (base URLs, Azure endpoint and API version,
 * Cloudflare account id...) are configuration and come from the environment. Keys come from the environment
 * locally, or — when `PROVIDER_SECRETS_ARN` is set — from one Secrets Manager secret holding a JSON object
 * keyed by the same variable names (`{"OPENAI_API_KEY": "..."}`), read on first use and cached for a while
 * so a rotated key applies without a restart. The secret wins over the environment.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InternalError, UpstreamError } from '../core/errors.ts';
import { UPSTREAM_CODES } from './http/upstream-error.ts';
import type { ProviderId } from './types.ts';

interface ProviderVariables {
  /** The key (for vertex: the service-account JSON). */
  readonly apiKey: string;
  /** Overrides the provider's default base URL; the local runtime points it at a simulator. Checked in order. */
  readonly baseURL: readonly string[];
  /** Transport option name → variable name. */
  readonly options?: Readonly<Record<string, string>>;
}

export const PROVIDER_VARIABLES = {
  openai: { apiKey: 'OPENAI_API_KEY', baseURL: ['OPENAI_BASE_URL'] },
  azure: {
    apiKey: 'AZURE_OPENAI_API_KEY',
    baseURL: ['AZURE_OPENAI_BASE_URL', 'AZURE_OPENAI_ENDPOINT'],
    options: { apiVersion: 'AZURE_OPENAI_API_VERSION' },
  },
  fireworks: { apiKey: 'FIREWORKS_API_KEY', baseURL: ['FIREWORKS_BASE_URL'] },
  aiml: { apiKey: 'AIML_API_KEY', baseURL: ['AIML_BASE_URL'] },
  'hugging face': { apiKey: 'HF_TOKEN', baseURL: ['HF_BASE_URL'] },
  alibaba: { apiKey: 'DASHSCOPE_API_KEY', baseURL: ['DASHSCOPE_BASE_URL'] },
  cloudflare: { apiKey: 'CLOUDFLARE_API_TOKEN', baseURL: ['CLOUDFLARE_BASE_URL'], options: { accountId: 'CLOUDFLARE_ACCOUNT_ID' } },
  asicloud: { apiKey: 'ASICLOUD_API_KEY', baseURL: ['ASICLOUD_BASE_URL'] },
  gemini: { apiKey: 'GEMINI_API_KEY', baseURL: ['GEMINI_BASE_URL'] },
  vertex: {
    apiKey: 'VERTEX_SERVICE_ACCOUNT_JSON',
    baseURL: ['VERTEX_BASE_URL'],
    options: { project: 'VERTEX_PROJECT', location: 'VERTEX_LOCATION', tokenUrl: 'VERTEX_TOKEN_URL' },
  },
  deepgram: { apiKey: 'DEEPGRAM_API_KEY', baseURL: ['DEEPGRAM_BASE_URL'] },
  elevenlabs: { apiKey: 'ELEVENLABS_API_KEY', baseURL: ['ELEVENLABS_BASE_URL'] },
  cartesia: { apiKey: 'CARTESIA_API_KEY', baseURL: ['CARTESIA_BASE_URL'] },
  roboflow: { apiKey: 'ROBOFLOW_API_KEY', baseURL: ['ROBOFLOW_BASE_URL'] },
} as const satisfies Record<ProviderId, ProviderVariables>;

export const PROVIDER_SECRETS_ENV = 'PROVIDER_SECRETS_ARN';

export interface ProviderSettings {
  /** Undefined: use the provider's default. */
  readonly baseURL: string | undefined;
  readonly options: Readonly<Record<string, string>>;
}

export interface ProviderCredentials {
  /** The provider's key, read at call time. Rejects with `provider_not_configured` (503) when there is none. */
  apiKey(provider: ProviderId): Promise<string>;
  settings(provider: ProviderId): ProviderSettings;
  /** Whether the environment itself holds a key (the local runtime starts a simulator when it does not). */
  hasEnvironmentKey(provider: ProviderId): boolean;
  /** Any other value kept in the secret (e.g. the x402 facilitator's credentials), else the environment's. */
  secretValue(name: string): Promise<string | undefined>;
}

export interface CredentialsOptions {
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Required when the environment names a secret; created once by the caller (powertools rule). A function
   * gives it as a loader, called on the first read, so a cold start neither loads nor builds the client.
   */
  readonly secretsClient?: SecretsManagerClient | (() => Promise<SecretsManagerClient>);
  /** How long a read secret is trusted before it is read again. */
  readonly cacheTtlMs?: number;
  readonly now?: () => number;
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value);

const parseSecret = (text: string | undefined): Readonly<Record<string, string>> => {
  const value: unknown = JSON.parse(text ?? '{}');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('the provider secret is not a JSON object');
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
};

/** Reads the secret lazily; concurrent callers share one read; a failed read is not cached. */
const secretReader = (source: NonNullable<CredentialsOptions['secretsClient']>, secretId: string, ttlMs: number, now: () => number) => {
  let cached: { readonly at: number; readonly values: Promise<Readonly<Record<string, string>>> } | undefined;
  let client: Promise<SecretsManagerClient> | undefined;
  const read = async (): Promise<string | undefined> => {
    // A loader that failed is asked again on the next read (a cached rejection would fail every call until a restart).
    const current = (client ??= typeof source === 'function' ? source() : Promise.resolve(source));
    const [{ readSecretString }, loaded] = await Promise.all([import('./secret-read.ts'), current.catch((error: unknown) => {
      if (client === current) client = undefined;
      throw error;
    })]);
    return readSecretString(loaded, secretId);
  };
  return (): Promise<Readonly<Record<string, string>>> => {
    if (cached !== undefined && now() - cached.at < ttlMs) return cached.values;
    const values = read().then(parseSecret);
    const entry = { at: now(), values };
    cached = entry;
    values.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return values;
  };
};

export const createProviderCredentials = (options: CredentialsOptions = {}): ProviderCredentials => {
  const env = options.env ?? process.env;
  const secretId = nonEmpty(env[PROVIDER_SECRETS_ENV]);
  if (secretId !== undefined && options.secretsClient === undefined) {
    throw new Error(`${PROVIDER_SECRETS_ENV} is set but no Secrets Manager client was given.`);
  }
  const readSecret =
    secretId !== undefined && options.secretsClient !== undefined
      ? secretReader(options.secretsClient, secretId, options.cacheTtlMs ?? 5 * 60_000, options.now ?? Date.now)
      : undefined;

  const apiKey = async (provider: ProviderId): Promise<string> => {
    const name = PROVIDER_VARIABLES[provider].apiKey;
    let secret: Readonly<Record<string, string>> = {};
    if (readSecret !== undefined) {
      // The cause (an SDK error) is kept for logs; the client sees a generic 500.
      secret = await readSecret().catch((cause: unknown) => {
        throw new InternalError('Provider secrets could not be read.', { cause });
      });
    }
    const key = nonEmpty(secret[name]) ?? nonEmpty(env[name]);
    if (key === undefined) throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider is not configured on this gateway.`);
    return key;
  };

  const settings = (provider: ProviderId): ProviderSettings => {
    const variables: ProviderVariables = PROVIDER_VARIABLES[provider];
    const baseURL = variables.baseURL.map((name) => nonEmpty(env[name])).find((value) => value !== undefined);
    const entries = Object.entries(variables.options ?? {}).flatMap(([option, name]) => {
      const value = nonEmpty(env[name]);
      return value === undefined ? [] : [[option, value] as const];
    });
    return { baseURL, options: Object.fromEntries(entries) };
  };

  const secretValue = async (name: string): Promise<string | undefined> => {
    const secret = readSecret === undefined ? {} : await readSecret().catch((cause: unknown) => {
      throw new InternalError('Provider secrets could not be read.', { cause });
    });
    return nonEmpty(secret[name]) ?? nonEmpty(env[name]);
  };

  return { apiKey, settings, secretValue, hasEnvironmentKey: (provider) => nonEmpty(env[PROVIDER_VARIABLES[provider].apiKey]) !== undefined };
};
