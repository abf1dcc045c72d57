/**
 * Video adapters for the worker: one per provider, built on first use from the provider's transport. A
 * provider's video API may be reached at its own base URL (`OPENAI_VIDEOS_BASE_URL`): a proxy in front of
 * long-running jobs, or locally the video simulator beside the chat simulator.
 */
import type { ProviderCredentials } from '../../layers/providers/credentials.ts';
import { createMediaAdapter, mediaTransportFor } from '../../layers/providers/media-registry.ts';
import { catalogPartner } from '../catalog/hf-partners.ts';
import type { MediaAdapter } from '../../layers/providers/media-types.ts';
import type { TransportOverrides } from '../../layers/providers/registry.ts';
import type { ProviderId } from '../../layers/providers/types.ts';

export const VIDEO_BASE_URL_ENV: Partial<Record<ProviderId, string>> = {
  openai: 'OPENAI_VIDEOS_BASE_URL',
};

export const createVideoAdapterResolver = (
  credentials: ProviderCredentials,
  overrides: TransportOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): ((provider: ProviderId) => MediaAdapter) => {
  const adapters = new Map<ProviderId, MediaAdapter>();
  return (provider) => {
    let adapter = adapters.get(provider);
    if (!adapter) {
      const transport = mediaTransportFor(provider, credentials, overrides);
      const videosURL = env[VIDEO_BASE_URL_ENV[provider] ?? '']?.trim();
      adapter = createMediaAdapter(provider, videosURL ? { ...transport, baseURL: videosURL } : transport, { hfPartnerOf: catalogPartner });
      adapters.set(provider, adapter);
    }
    return adapter;
  };
};
