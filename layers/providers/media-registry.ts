/**
 * The one place that knows which media adapter serves which provider, mirroring `registry.ts` for text.
 * Everything else asks for a `MediaAdapter` by `ProviderId`; a provider without a line here answers 503
 * `provider_not_configured` for media. One line per provider: its media operations (embeddings, images,
 * speech, transcription, video jobs...) are spread into one adapter object.
 */
import { UpstreamError } from '../core/errors.ts';
import type { ProviderCredentials } from './credentials.ts';
import { UPSTREAM_CODES } from './http/upstream-error.ts';
import type { MediaAdapter } from './media-types.ts';
import { createAlibabaMediaAdapter, DASHSCOPE_BASE_URL } from './alibaba/media/adapter.ts';
import { createAzureMediaAdapter } from './azure/media/adapter.ts';
import { CARTESIA_BASE_URL, createCartesiaAdapter } from './cartesia/adapter.ts';
import { CLOUDFLARE_BASE_URL, createCloudflareMediaAdapter } from './cloudflare/media/adapter.ts';
import { createDeepgramAdapter, DEEPGRAM_BASE_URL } from './deepgram/adapter.ts';
import { createElevenLabsAdapter, ELEVENLABS_BASE_URL } from './elevenlabs/adapter.ts';
import { createFireworksMediaAdapter, FIREWORKS_BASE_URL } from './fireworks/media/adapter.ts';
import { createGeminiMediaAdapter } from './gemini/media/adapter.ts';
import { GEMINI_BASE_URL } from './gemini/base-url.ts';
import { createHuggingFaceMediaAdapter, HF_ROUTER_URL } from './huggingface/media/adapter.ts';
import type { PartnerResolver } from './huggingface/media/partners.ts';
import { createOpenAIMediaAdapter } from './openai/media/adapter.ts';
import { openaiMediaProfile } from './openai/media/profile.ts';
import { createOpenAIVideoAdapter } from './openai/video/adapter.ts';
import { transportFor, type TransportOverrides } from './registry.ts';
import { createRoboflowAdapter, ROBOFLOW_BASE_URL } from './roboflow/adapter.ts';
import type { ProviderId, ProviderTransport } from './types.ts';
import { createVertexMediaAdapter } from './vertex/media/adapter.ts';

export interface MediaProvider {
  /** Used when the environment sets no base URL; undefined when it is per deployment or account. */
  readonly defaultBaseURL: string | undefined;
  readonly create: (transport: ProviderTransport, dependencies: MediaAdapterDependencies) => MediaAdapter;
}

/** What adapters learn from the domain, injected so this layer never imports it. */
export interface MediaAdapterDependencies {
  /** Which Hugging Face partner serves a model (the catalog's word). */
  readonly hfPartnerOf: PartnerResolver;
}

const MEDIA_PROVIDERS: Partial<Record<ProviderId, MediaProvider>> = {
  openai: {
    defaultBaseURL: openaiMediaProfile.defaultBaseURL,
    create: (transport) => ({ ...createOpenAIMediaAdapter(transport), ...createOpenAIVideoAdapter(transport) }),
  },
  azure: { defaultBaseURL: undefined, create: (transport) => createAzureMediaAdapter(transport) },
  gemini: { defaultBaseURL: GEMINI_BASE_URL, create: (transport) => createGeminiMediaAdapter(transport) },
  vertex: { defaultBaseURL: undefined, create: (transport) => createVertexMediaAdapter(transport) },
  fireworks: { defaultBaseURL: FIREWORKS_BASE_URL, create: (transport) => createFireworksMediaAdapter(transport) },
  alibaba: { defaultBaseURL: DASHSCOPE_BASE_URL, create: (transport) => createAlibabaMediaAdapter(transport) },
  cloudflare: { defaultBaseURL: CLOUDFLARE_BASE_URL, create: (transport) => createCloudflareMediaAdapter(transport) },
  'hugging face': { defaultBaseURL: HF_ROUTER_URL, create: (transport, dependencies) => createHuggingFaceMediaAdapter(transport, { partnerOf: dependencies.hfPartnerOf }) },
  deepgram: { defaultBaseURL: DEEPGRAM_BASE_URL, create: (transport) => createDeepgramAdapter(transport) },
  elevenlabs: { defaultBaseURL: ELEVENLABS_BASE_URL, create: (transport) => createElevenLabsAdapter(transport) },
  cartesia: { defaultBaseURL: CARTESIA_BASE_URL, create: (transport) => createCartesiaAdapter(transport) },
  roboflow: { defaultBaseURL: ROBOFLOW_BASE_URL, create: (transport) => createRoboflowAdapter(transport) },
};

export const isMediaProvider = (provider: ProviderId): boolean => MEDIA_PROVIDERS[provider] !== undefined;

const mediaProvider = (provider: ProviderId): MediaProvider => {
  const entry = MEDIA_PROVIDERS[provider];
  if (entry === undefined) throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider does not serve media on this gateway yet.`);
  return entry;
};

export const createMediaAdapter = (provider: ProviderId, transport: ProviderTransport, dependencies: MediaAdapterDependencies): MediaAdapter =>
  mediaProvider(provider).create(transport, dependencies);

/** The text transport, with the media default base URL where the environment names none (speech-only providers). */
export const mediaTransportFor = (provider: ProviderId, credentials: ProviderCredentials, overrides: TransportOverrides = {}): ProviderTransport => {
  const transport = transportFor(provider, credentials, overrides);
  const configured = credentials.settings(provider).baseURL;
  return { ...transport, baseURL: configured ?? mediaProvider(provider).defaultBaseURL ?? transport.baseURL };
};

/** `adapterFor` for the media routes: one adapter per provider, built on first use. */
export const createMediaAdapterResolver = (
  credentials: ProviderCredentials,
  dependencies: MediaAdapterDependencies,
  overrides: TransportOverrides = {},
): ((provider: ProviderId) => MediaAdapter) => {
  const adapters = new Map<ProviderId, MediaAdapter>();
  return (provider) => {
    let adapter = adapters.get(provider);
    if (adapter === undefined) {
      adapter = createMediaAdapter(provider, mediaTransportFor(provider, credentials, overrides), dependencies);
      adapters.set(provider, adapter);
    }
    return adapter;
  };
};
