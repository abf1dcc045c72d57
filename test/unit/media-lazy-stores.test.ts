/**
 * The media function's bucket stores are built on first use (functions/media/lazy-stores.ts): calls that never
 * store or read a file do not load S3. The wrappers must behave as the stores they stand for.
 */
import { describe, expect, it, vi } from 'vitest';
import { lazyMediaStore, lazyUploadStore } from '../../functions/media/lazy-stores.ts';
import type { UploadStore, StoredUpload } from '../../shared/uploads/store.ts';

const UPLOAD: StoredUpload = { key: 'uploads/u1', bytes: 3, etag: '"e"', contentType: 'audio/wav' };

const uploadStore = (): UploadStore => ({
  presignPut: async (key) => ({ url: `https://bucket/${key}`, headers: {}, expiresAt: 1 }),
  find: async (key) => (key === UPLOAD.key ? UPLOAD : undefined),
  readHead: async () => new Uint8Array([1]),
  open: () =>
    new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.enqueue(new Uint8Array([3]));
        controller.close();
      },
    }),
});

const bytesOf = async (stream: ReadableStream<Uint8Array>): Promise<number[]> => {
  const out: number[] = [];
  for await (const chunk of stream) out.push(...chunk);
  return out;
};

describe('the lazily built upload store', () => {
  it('loads the store once, on the first call, and answers as it does', async () => {
    const load = vi.fn(async () => uploadStore());
    const store = lazyUploadStore(load);
    expect(load).not.toHaveBeenCalled();
    expect(await store.find('uploads/u1')).toEqual(UPLOAD);
    expect(await store.find('uploads/none')).toBeUndefined();
    expect(await bytesOf(store.open(UPLOAD))).toEqual([1, 2, 3]);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('opens a stream before the store is loaded: its bytes come once the store is there', async () => {
    const store = lazyUploadStore(async () => uploadStore());
    expect(await bytesOf(store.open(UPLOAD))).toEqual([1, 2, 3]);
  });

  it('tries a failed load again on the next call instead of remembering the failure', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('chunk not read')).mockResolvedValue(uploadStore());
    const store = lazyUploadStore(load);
    await expect(store.find('uploads/u1')).rejects.toThrow('chunk not read');
    expect(await store.find('uploads/u1')).toEqual(UPLOAD);
  });
});

describe('the lazily built media store', () => {
  it('stores and signs through the store it loads once', async () => {
    const load = vi.fn(async () => ({
      put: async (kind: string, data: Uint8Array, mediaType: string) => ({ key: `${kind}/k`, mediaType, bytes: data.byteLength }),
      putStream: async (kind: string, _body: AsyncIterable<Uint8Array>, mediaType: string) => ({ key: `${kind}/s`, mediaType, bytes: 0 }),
      url: async (key: string) => `https://bucket/${key}?signed`,
    }));
    const store = lazyMediaStore(load);
    const stored = await store.put('images', new Uint8Array(4), 'image/png');
    expect(stored).toEqual({ key: 'images/k', mediaType: 'image/png', bytes: 4 });
    expect(await store.url(stored.key)).toBe('https://bucket/images/k?signed');
    expect(load).toHaveBeenCalledTimes(1);
  });
});
