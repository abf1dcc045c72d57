/**
 * How a provider is reached: its base URL (settings first, else the provider's global endpoint), its key read at
 * call time, and the deployment's transport settings. Apart from the registries so the media registry can build
 * transports without loading the text adapters.
 */
import type { ProviderCredentials } from './credentials.ts';
import { aimlProfile } from './aiml/profile.ts';
import { alibabaProfile } from './alibaba/profile.ts';
import { asicloudProfile } from './asicloud/profile.ts';
import { azureProfile } from './azure/profile.ts';
import { cloudflareProfile } from './cloudflare/profile.ts';
import { fireworksProfile } from './fireworks/profile.ts';
import { GEMINI_BASE_URL } from './gemini/base-url.ts';
import { huggingfaceProfile } from './huggingface/profile.ts';
import { openaiProfile } from './openai/profile.ts';
import type { ProviderId, ProviderTransport } from './types.ts';
import type { ProviderFetch } from './http/provider-response.ts';

/** The text providers' global endpoints; undefined where there is none (Azure) or the adapter derives it (Vertex). */
const DEFAULT_BASE_URLS: Partial<Record<ProviderId, string | undefined>> = {
  ...Object.fromEntries([openaiProfile, azureProfile, fireworksProfile, aimlProfile, huggingfaceProfile, alibabaProfile, cloudflareProfile, asicloudProfile].map((p) => [p.provider, p.defaultBaseURL])),
  gemini: GEMINI_BASE_URL,
};

/** Transport settings the deployment may tune; the rest comes from the credentials. */
export interface TransportOverrides {
  readonly fetch?: ProviderFetch;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

/** Reads `PROVIDER_TIMEOUT_MS` and `PROVIDER_MAX_RETRIES` (unset: the HTTP layer's defaults). */
export const transportOverridesFromEnv = (env: NodeJS.ProcessEnv = process.env): TransportOverrides => {
  const timeoutMs = Number(env.PROVIDER_TIMEOUT_MS);
  const maxRetries = Number(env.PROVIDER_MAX_RETRIES);
  return {
    ...(env.PROVIDER_TIMEOUT_MS && timeoutMs > 0 ? { timeoutMs } : {}),
    ...(env.PROVIDER_MAX_RETRIES && maxRetries >= 0 ? { maxRetries } : {}),
  };
};

/** The transport for one provider: base URL and options from settings, the key read lazily at call time. */
export const transportFor = (provider: ProviderId, credentials: ProviderCredentials, overrides: TransportOverrides = {}): ProviderTransport => {
  const settings = credentials.settings(provider);
  return {
    baseURL: settings.baseURL ?? DEFAULT_BASE_URLS[provider] ?? '',
    apiKey: () => credentials.apiKey(provider),
    options: settings.options,
    ...overrides,
  };
};

