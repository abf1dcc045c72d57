import { createMediaAdapterResolver } from '../../layers/providers/media-registry.ts';
import { transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import type { MediaServices } from '../../shared/media/services.ts';
import { mediaSettingsFromEnv } from '../../shared/media/services.ts';
import { credentials, idempotency, mediaBucket, s3 } from '../shared-services.ts';
import { lazyMediaStore, lazyUploadStore } from './lazy-stores.ts';

/** The media routes' services for this instance, shared by the media and external functions. */
export const mediaServices: MediaServices = {
  adapterFor: createMediaAdapterResolver(credentials, { hfPartnerOf: catalogPartner }, transportOverridesFromEnv()),
  // S3 on the first call that stores or reads a file (lazy-stores.ts says which do).
  store: lazyMediaStore(async () => {
    const [client, { createMediaStore, urlTtlFromEnv }] = await Promise.all([s3(), import('../../shared/media/storage/store.ts')]);
    return createMediaStore({ s3: client, bucket: mediaBucket, urlTtlSeconds: urlTtlFromEnv() });
  }),
  uploads: lazyUploadStore(async () => {
    const [client, { createUploadStore }] = await Promise.all([s3(), import('../../shared/uploads/store.ts')]);
    return createUploadStore({ s3: client, bucket: mediaBucket });
  }),
  idempotency,
  settings: mediaSettingsFromEnv(),
};
