/**
 * The one place that knows which adapter serves which provider. Everything else asks for a
 * `TextModelAdapter` by `ProviderId` and never sees a wire format.
 */
import { UpstreamError } from '../core/errors.ts';
import type { ProviderCredentials } from './credentials.ts';
import { UPSTREAM_CODES } from './http/upstream-error.ts';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.ts';
import type { OpenAICompatibleProfile } from './openai-compatible/profile.ts';
import { aimlProfile } from './aiml/profile.ts';
import { alibabaProfile } from './alibaba/profile.ts';
import { asicloudProfile } from './asicloud/profile.ts';
import { azureProfile } from './azure/profile.ts';
import { cloudflareProfile } from './cloudflare/profile.ts';
import { fireworksProfile } from './fireworks/profile.ts';
import { GEMINI_BASE_URL } from './gemini/base-url.ts';
import { huggingfaceProfile } from './huggingface/profile.ts';
import { openaiProfile } from './openai/profile.ts';
import { transportFor, type TransportOverrides } from './transport.ts';
import type { ProviderId, ProviderTransport, TextModelAdapter } from './types.ts';

export { transportFor, transportOverridesFromEnv, type TransportOverrides } from './transport.ts';

interface TextProvider {
  /** Undefined when the provider has no global endpoint (Azure) or derives it itself (Vertex). */
  readonly defaultBaseURL: string | undefined;
  readonly create: (transport: ProviderTransport) => TextModelAdapter;
}

/**
 * An adapter whose code loads on its first call: Gemini's and Vertex's wire code (and Vertex's token signing with
 * jose) load only in an instance that calls them. The OpenAI-compatible adapter serves eight of the ten providers,
 * so nearly every instance's first call needs it: it loads at init, where deferring it would only move its ~30 ms
 * from the init figure onto the first call (docs/decisions.md, cold start). Both of an adapter's methods are async,
 * so the import is awaited where the call already waits.
 */
const loadedOnFirstCall = (provider: ProviderId, load: () => Promise<TextModelAdapter>): TextModelAdapter => {
  let adapter: Promise<TextModelAdapter> | undefined;
  const loaded = (): Promise<TextModelAdapter> => (adapter ??= load());
  return {
    provider,
    generate: async (request, options) => (await loaded()).generate(request, options),
    stream: async (request, options) => (await loaded()).stream(request, options),
  };
};

const openAICompatible = (profile: OpenAICompatibleProfile): TextProvider => ({
  defaultBaseURL: profile.defaultBaseURL,
  create: (transport) => createOpenAICompatibleAdapter(profile, transport),
});

const TEXT_PROVIDERS: Partial<Record<ProviderId, TextProvider>> = {
  openai: openAICompatible(openaiProfile),
  azure: openAICompatible(azureProfile),
  fireworks: openAICompatible(fireworksProfile),
  aiml: openAICompatible(aimlProfile),
  'hugging face': openAICompatible(huggingfaceProfile),
  alibaba: openAICompatible(alibabaProfile),
  cloudflare: openAICompatible(cloudflareProfile),
  asicloud: openAICompatible(asicloudProfile),
  gemini: { defaultBaseURL: GEMINI_BASE_URL, create: (transport) => loadedOnFirstCall('gemini', async () => (await import('./gemini/model.ts')).createGeminiAdapter(transport)) },
  vertex: { defaultBaseURL: undefined, create: (transport) => loadedOnFirstCall('vertex', async () => (await import('./vertex/model.ts')).createVertexAdapter(transport)) },
};

export const isTextProvider = (provider: ProviderId): boolean => TEXT_PROVIDERS[provider] !== undefined;

const textProvider = (provider: ProviderId): TextProvider => {
  const entry = TEXT_PROVIDERS[provider];
  if (entry === undefined) throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider does not serve text models.`);
  return entry;
};

export const createTextAdapter = (provider: ProviderId, transport: ProviderTransport): TextModelAdapter => textProvider(provider).create(transport);

/** `adapterFor` for the text pipeline: one adapter per provider, built on first use. */
export const createAdapterResolver = (credentials: ProviderCredentials, overrides: TransportOverrides = {}): ((provider: ProviderId) => TextModelAdapter) => {
  const adapters = new Map<ProviderId, TextModelAdapter>();
  return (provider) => {
    let adapter = adapters.get(provider);
    if (adapter === undefined) {
      adapter = createTextAdapter(provider, transportFor(provider, credentials, overrides));
      adapters.set(provider, adapter);
    }
    return adapter;
  };
};
