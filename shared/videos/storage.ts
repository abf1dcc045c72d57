/**
 * Finished videos in the media bucket: written as a stream from the provider's download (never held whole in
 * memory) and handed out as presigned GET URLs.
 */
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface VideoStorage {
  /** Streams `body` (of `bytes` bytes) to the job's object; returns its key. */
  put(jobId: string, body: ReadableStream<Uint8Array>, bytes: number, contentType: string): Promise<string>;
  remove(key: string): Promise<void>;
  presign(key: string): Promise<string>;
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
});
