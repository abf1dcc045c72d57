/**
 * Video storage built on first use. The worker stores a video only when its job completes, a task most
 * invocations never reach (submissions and status polls do not touch S3); the videos routes read it for
 * downloads and the URLs of finished videos, not to submit. So both load the S3 client and the presigner then,
 * rather than at every cold start.
 */
import { loadOnce } from '../../layers/core/once.ts';
import type { VideoStorage } from './storage.ts';

export const lazyVideoStorage = (load: () => Promise<VideoStorage>): VideoStorage => {
  const storage = loadOnce(load).get;
  return {
    put: async (...args) => (await storage()).put(...args),
    remove: async (...args) => (await storage()).remove(...args),
    presign: async (...args) => (await storage()).presign(...args),
    open: async (...args) => (await storage()).open(...args),
  };
};
