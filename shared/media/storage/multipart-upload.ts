/**
 * Streams of unknown length go to S3 through `@aws-sdk/lib-storage`'s `Upload`: one part in flight at a time, so
 * memory holds about one part however long the stream is (a provider's video, a long audio answer); a stream that
 * fits in one part is a single PutObject. A failure aborts the multipart upload, so no orphaned parts are left to
 * bill.
 */
import { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { describeError, logger } from '../../../layers/core/observability/index.ts';

/** S3's minimum part size is 5 MiB (except the last part). */
export const PART_BYTES = 8 * 1024 * 1024;

/** Sequential parts keep memory at one part per upload; Lambda memory is the limit, not S3 throughput. */
const QUEUE_SIZE = 1;

export interface UploadTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
}

/** Uploads the stream and resolves with its size in bytes. */
export const uploadStream = async (target: UploadTarget, stream: AsyncIterable<Uint8Array>, partBytes = PART_BYTES): Promise<number> => {
  const { s3, bucket, key, contentType } = target;
  let total = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      yield chunk;
    }
  }
  // The parts are left to us on failure (leavePartsOnError) so the abort covers a failed Complete too, and a
  // failed abort is logged instead of replacing the error that caused it.
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, ContentType: contentType, Body: Readable.from(counted()) },
    partSize: partBytes,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: true,
  });
  try {
    await upload.done();
    return total;
  } catch (error) {
    logger.warn('media upload failed', { key, error: describeError(error) });
    if (upload.uploadId) {
      // An upload left open costs storage until the bucket's abort-incomplete rule removes it: worth a warning.
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: upload.uploadId })).catch((abortError: unknown) => {
        logger.warn('multipart upload not aborted', { key, error: describeError(abortError) });
      });
    }
    throw error;
  }
};
