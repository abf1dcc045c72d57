import { createMediaAdapterResolver } from '../../layers/providers/media-registry.ts';
import { transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { catalogPartner } from '../../shared/catalog/hf-partners.ts';
import type { MediaServices } from '../../shared/media/services.ts';
import { mediaSettingsFromEnv } from '../../shared/media/services.ts';
import { createMediaStore, urlTtlFromEnv } from '../../shared/media/storage/store.ts';
import { createUploadStore } from '../../shared/uploads/store.ts';
import { credentials, idempotency, mediaBucket, s3 } from '../shared-services.ts';

const s3Client = await s3();

/** The media routes' services for this instance, shared by the media and external functions. */
export const mediaServices: MediaServices = {
  adapterFor: createMediaAdapterResolver(credentials, { hfPartnerOf: catalogPartner }, transportOverridesFromEnv()),
  store: createMediaStore({ s3: s3Client, bucket: mediaBucket, urlTtlSeconds: urlTtlFromEnv() }),
  uploads: createUploadStore({ s3: s3Client, bucket: mediaBucket }),
  idempotency,
  settings: mediaSettingsFromEnv(),
};
