/**
 * The media bucket: outputs are written here and handed out as presigned GET URLs, so the bytes go from S3 to
 * the client without passing through a function again. The S3 client is injected (created once per module).
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { mediaKey } from './keys.ts';
import { uploadStream } from './multipart-upload.ts';

export interface StoredMedia {
  readonly key: string;
  readonly mediaType: string;
  readonly bytes: number;
}

export interface MediaStore {
  /** Writes bytes already in memory under a new key. */
  put(kind: string, data: Uint8Array, mediaType: string): Promise<StoredMedia>;
  /** Streams a body of unknown length to a new key (multipart upload; memory holds one part). */
  putStream(kind: string, body: AsyncIterable<Uint8Array>, mediaType: string): Promise<StoredMedia>;
  /** A time-limited download URL for a stored object. */
  url(key: string, expiresInSeconds?: number): Promise<string>;
}

export interface MediaStoreOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** How long presigned URLs stay valid (default one hour; SigV4 allows at most 7 days). */
  readonly urlTtlSeconds?: number;
}

export const MEDIA_URL_TTL_ENV = 'MEDIA_URL_TTL_SECONDS';
const DEFAULT_URL_TTL_SECONDS = 3600;

export const createMediaStore = ({ s3, bucket, urlTtlSeconds = DEFAULT_URL_TTL_SECONDS }: MediaStoreOptions): MediaStore => ({
  put: async (kind, data, mediaType) => {
    const key = mediaKey(kind, mediaType);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentType: mediaType, ContentLength: data.byteLength }));
    return { key, mediaType, bytes: data.byteLength };
  },
  putStream: async (kind, body, mediaType) => {
    const key = mediaKey(kind, mediaType);
    const bytes = await uploadStream({ s3, bucket, key, contentType: mediaType }, body);
    return { key, mediaType, bytes };
  },
  url: (key, expiresInSeconds = urlTtlSeconds) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInSeconds }),
});

/** `MEDIA_URL_TTL_SECONDS`, or the default. */
export const urlTtlFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const value = Number(env[MEDIA_URL_TTL_ENV]);
  return Number.isInteger(value) && value > 0 && value <= 604_800 ? value : DEFAULT_URL_TTL_SECONDS;
};
