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
import { alibabaProfile } from './alibaba/profile.ts';
import { cloudflareProfile } from './cloudflare/profile.ts';
import { fireworksProfile } from './fireworks/profile.ts';
import { GEMINI_BASE_URL } from './gemini/base-url.ts';
import type { PartnerResolver } from './huggingface/media/partners.ts';
import { huggingfaceProfile } from './huggingface/profile.ts';
import { CARTESIA_BASE_URL, DEEPGRAM_BASE_URL, ELEVENLABS_BASE_URL, ROBOFLOW_BASE_URL } from './media-endpoints.ts';
import { openaiMediaProfile } from './openai/media/profile.ts';
import { transportFor, type TransportOverrides } from './transport.ts';
import type { ProviderId, ProviderTransport } from './types.ts';

export interface MediaProvider {
  /** Used when the environment sets no base URL; undefined when it is per deployment or account. */
  readonly defaultBaseURL: string | undefined;
  /** What the provider's adapter serves (its methods). */
  readonly operations: readonly MediaOperation[];
  readonly create: (transport: ProviderTransport, dependencies: MediaAdapterDependencies) => MediaAdapter;
}

/** What adapters learn from the domain, injected so this layer never imports it. */
export interface MediaAdapterDependencies {
  /** Which Hugging Face partner serves a model (the catalog's word). */
  readonly hfPartnerOf: PartnerResolver;
}

/** The adapter's operations: every method of MediaAdapter (its optional ones say what a provider serves). */
export type MediaOperation = Exclude<keyof MediaAdapter, 'provider'>;

/**
 * An adapter whose module loads on its first call: the media function's cold start loads no provider's media code
 * (wire schemas, Vertex's token signing with jose), and a call loads only its provider's. The operations a
 * provider serves are listed with it, since callers ask for a method before calling it (a missing one is the
 * unsupported-operation refusal); test/unit/media-registry-lazy.test.ts checks each list against its adapter.
 */
const loadedOnFirstCall = (provider: ProviderId, operations: readonly MediaOperation[], load: () => Promise<MediaAdapter>): MediaAdapter => {
  let adapter: Promise<MediaAdapter> | undefined;
  const loaded = (): Promise<MediaAdapter> => (adapter ??= load());
  const methods = operations.map((operation) => [
    operation,
    async (...args: unknown[]) => {
      const method = (await loaded())[operation] as ((...a: unknown[]) => Promise<unknown>) | undefined;
      if (method === undefined) throw new Error(`the ${provider} media adapter has no ${operation}`);
      return method(...args);
    },
  ]);
  return { provider, ...Object.fromEntries(methods) } as MediaAdapter;
};

const lazy = (
  provider: ProviderId,
  defaultBaseURL: string | undefined,
  operations: readonly MediaOperation[],
  load: (transport: ProviderTransport, dependencies: MediaAdapterDependencies) => Promise<MediaAdapter>,
): MediaProvider => ({ defaultBaseURL, operations, create: (transport, dependencies) => loadedOnFirstCall(provider, operations, () => load(transport, dependencies)) });

const IMAGES = ['generateImage', 'editImage'] as const;
const VIDEOS = ['submitVideo', 'pollVideo'] as const;
const SPEECH = ['speak', 'transcribe'] as const;

const MEDIA_PROVIDERS: Partial<Record<ProviderId, MediaProvider>> = {
  openai: lazy(
    'openai',
    openaiMediaProfile.defaultBaseURL,
    ['embed', ...IMAGES, 'streamImageGeneration', 'streamImageEdit', ...SPEECH, 'translate', 'streamTranscription', 'moderate', ...VIDEOS],
    async (transport) => {
      const [{ createOpenAIMediaAdapter }, { createOpenAIVideoAdapter }] = await Promise.all([import('./openai/media/adapter.ts'), import('./openai/video/adapter.ts')]);
      return { ...createOpenAIMediaAdapter(transport), ...createOpenAIVideoAdapter(transport) };
    },
  ),
  azure: lazy('azure', undefined, ['embed', ...IMAGES, 'streamImageGeneration', 'streamImageEdit', ...SPEECH, 'translate', 'streamTranscription'], async (transport) =>
    (await import('./azure/media/adapter.ts')).createAzureMediaAdapter(transport),
  ),
  gemini: lazy('gemini', GEMINI_BASE_URL, ['embed', ...IMAGES], async (transport) => (await import('./gemini/media/adapter.ts')).createGeminiMediaAdapter(transport)),
  vertex: lazy('vertex', undefined, ['embed', 'generateImage', ...VIDEOS], async (transport) => (await import('./vertex/media/adapter.ts')).createVertexMediaAdapter(transport)),
  fireworks: lazy('fireworks', fireworksProfile.defaultBaseURL, ['embed', ...IMAGES], async (transport) =>
    (await import('./fireworks/media/adapter.ts')).createFireworksMediaAdapter(transport),
  ),
  alibaba: lazy('alibaba', alibabaProfile.defaultBaseURL, ['embed', ...IMAGES, ...VIDEOS], async (transport) =>
    (await import('./alibaba/media/adapter.ts')).createAlibabaMediaAdapter(transport),
  ),
  cloudflare: lazy('cloudflare', cloudflareProfile.defaultBaseURL, ['embed', 'generateImage', ...SPEECH, 'detect'], async (transport) =>
    (await import('./cloudflare/media/adapter.ts')).createCloudflareMediaAdapter(transport),
  ),
  'hugging face': lazy('hugging face', huggingfaceProfile.defaultBaseURL, ['embed', 'generateImage'], async (transport, dependencies) =>
    (await import('./huggingface/media/adapter.ts')).createHuggingFaceMediaAdapter(transport, { partnerOf: dependencies.hfPartnerOf }),
  ),
  deepgram: lazy('deepgram', DEEPGRAM_BASE_URL, SPEECH, async (transport) => (await import('./deepgram/adapter.ts')).createDeepgramAdapter(transport)),
  elevenlabs: lazy('elevenlabs', ELEVENLABS_BASE_URL, SPEECH, async (transport) => (await import('./elevenlabs/adapter.ts')).createElevenLabsAdapter(transport)),
  cartesia: lazy('cartesia', CARTESIA_BASE_URL, SPEECH, async (transport) => (await import('./cartesia/adapter.ts')).createCartesiaAdapter(transport)),
  roboflow: lazy('roboflow', ROBOFLOW_BASE_URL, ['detect'], async (transport) => (await import('./roboflow/adapter.ts')).createRoboflowAdapter(transport)),
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
