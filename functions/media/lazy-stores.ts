/**
 * The media bucket's stores, built on their first use. Embeddings, moderations, speech and transcriptions of an
 * inline file never touch S3; image URLs, uploads and stored audio do. So the S3 client, its commands and the
 * presigner (the largest SDK code a media function loads) are imported by the first call that needs them, not
 * at every cold start.
 */
import { loadOnce } from '../../layers/core/once.ts';
import type { MediaStore } from '../../shared/media/storage/store.ts';
import type { UploadStore } from '../../shared/uploads/store.ts';

export const lazyMediaStore = (load: () => Promise<MediaStore>): MediaStore => {
  const store = loadOnce(load);
  return {
    put: async (...args) => (await store.get()).put(...args),
    putStream: async (...args) => (await store.get()).putStream(...args),
    url: async (...args) => (await store.get()).url(...args),
  };
};

export const lazyUploadStore = (load: () => Promise<UploadStore>): UploadStore => {
  const store = loadOnce(load);
  return {
    presignPut: async (...args) => (await store.get()).presignPut(...args),
    find: async (...args) => (await store.get()).find(...args),
    readHead: async (...args) => (await store.get()).readHead(...args),
    // An upload is opened after `find` named it, so the store is there; if not, the stream waits for it.
    open: (upload) => {
      const loaded = store.loaded();
      if (loaded) return loaded.open(upload);
      let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
      return new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          reader ??= (await store.get()).open(upload).getReader();
          const { done, value } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        },
        cancel: async (reason) => {
          await reader?.cancel(reason);
        },
      });
    },
  };
};
