/**
 * The one place that knows which adapter serves which provider's media operations, like `registry.ts` for
 * text. Each line builds one provider's `MediaAdapter` from its transport; a provider's media operations
 * (embeddings, images, speech, video jobs...) are spread into the same object.
 */
import { UpstreamError } from '../../shared/errors.ts';
import { UPSTREAM_CODES } from './http/upstream-error.ts';
import type { MediaAdapter } from './media-types.ts';
import { createOpenAIVideoAdapter } from './openai/video/adapter.ts';
import type { ProviderId, ProviderTransport } from './types.ts';

const MEDIA_PROVIDERS: Partial<Record<ProviderId, (transport: ProviderTransport) => MediaAdapter>> = {
  openai: (transport) => ({ provider: 'openai', ...createOpenAIVideoAdapter(transport) }),
};

export const isMediaProvider = (provider: ProviderId): boolean => MEDIA_PROVIDERS[provider] !== undefined;

export const createMediaAdapter = (provider: ProviderId, transport: ProviderTransport): MediaAdapter => {
  const create = MEDIA_PROVIDERS[provider];
  if (!create) throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider has no media adapter on this gateway.`);
  return create(transport);
};
