import type { S3Client } from '@aws-sdk/client-s3';

/** DynamoDB items stop at 400 KB; bodies above this go to S3 and the item keeps a pointer. */
export const OVERFLOW_THRESHOLD_BYTES = 350 * 1024;

export interface BlobStore {
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string>;
  remove(key: string): Promise<void>;
}

/**
 * `s3` may be a loader, so a function that rarely overflows loads the SDK's S3 client (and its commands) on the
 * first overflow, not at init.
 */
export const s3BlobStore = (s3: S3Client | (() => Promise<S3Client>), bucket: string): BlobStore => {
  const client = async (): Promise<S3Client> => (typeof s3 === 'function' ? s3() : s3);
  const sdk = () => import('@aws-sdk/client-s3');
  return {
    put: async (key, body) => {
      const [c, { PutObjectCommand }] = await Promise.all([client(), sdk()]);
      await c.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }));
    },
    get: async (key) => {
      const [c, { GetObjectCommand }] = await Promise.all([client(), sdk()]);
      const object = await c.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body!.transformToString('utf8');
    },
    remove: async (key) => {
      const [c, { DeleteObjectCommand }] = await Promise.all([client(), sdk()]);
      await c.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
};

/** Keeps a JSON body inline when it fits, else in S3: returns the attributes to store. */
export const storeBody = async (blobs: BlobStore, key: string, body: unknown): Promise<{ body?: string; bodyKey?: string }> => {
  const text = JSON.stringify(body);
  if (Buffer.byteLength(text, 'utf8') <= OVERFLOW_THRESHOLD_BYTES) return { body: text };
  await blobs.put(key, text);
  return { bodyKey: key };
};

export const loadBody = async <T>(blobs: BlobStore, item: { body?: string | null; bodyKey?: string | null }): Promise<T | undefined> => {
  if (typeof item.body === 'string') return JSON.parse(item.body) as T;
  if (typeof item.bodyKey === 'string') return JSON.parse(await blobs.get(item.bodyKey)) as T;
  return undefined;
};
