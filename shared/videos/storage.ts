/**
 * Finished videos in the media bucket: written as a stream from the provider's download (never held whole in
 * memory) and handed out as presigned GET URLs.
 */
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A stored video opened for reading: its bytes flow from S3 as the reader takes them. */
export interface StoredVideo {
  readonly body: Readable;
  readonly bytes: number;
  readonly contentType: string;
}

export interface VideoStorage {
  /** Streams `body` (of `bytes` bytes) to the job's object; returns its key. */
  put(jobId: string, body: ReadableStream<Uint8Array>, bytes: number, contentType: string): Promise<string>;
  remove(key: string): Promise<void>;
  presign(key: string): Promise<string>;
  /** The object as a stream, or undefined when it is gone (expired by the bucket's lifecycle). */
  open(key: string): Promise<StoredVideo | undefined>;
}

export interface VideoStorageOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** How long a download URL works. */
  readonly urlTtlSeconds?: number;
}

export const videoKeyOf = (jobId: string): string => `videos/${jobId}.mp4`;

export const createVideoStorage = ({ s3, bucket, urlTtlSeconds = 3600 }: VideoStorageOptions): VideoStorage => ({
  put: async (jobId, body, bytes, contentType) => {
    const key = videoKeyOf(jobId);
    // A known length lets S3 take the stream as it arrives, in one PutObject (up to 5 GB).
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), ContentLength: bytes, ContentType: contentType }),
    );
    return key;
  },
  remove: async (key) => {
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  },
  presign: (key) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: urlTtlSeconds }),
  open: async (key) => {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: object.Body as Readable, bytes: object.ContentLength ?? 0, contentType: object.ContentType ?? 'video/mp4' };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  },
});
