/**
 * Streams of unknown length go to S3 as a multipart upload, one part at a time, so memory holds one part
 * however long the stream is (a provider's video, a long audio answer). A failure aborts the upload, so no
 * orphaned parts are left to bill.
 */
import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError, logger } from '../../../layers/core/observability/index.ts';

/** S3's minimum part size is 5 MiB (except the last part). */
export const PART_BYTES = 8 * 1024 * 1024;

async function* parts(stream: AsyncIterable<Uint8Array>, partBytes: number): AsyncGenerator<Uint8Array> {
  let pending: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    pending.push(chunk);
    size += chunk.byteLength;
    if (size >= partBytes) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0 || pending.length === 0) yield Buffer.concat(pending, size);
}

export interface UploadTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
}

/** Uploads the stream and resolves with its size in bytes. */
export const uploadStream = async (target: UploadTarget, stream: AsyncIterable<Uint8Array>, partBytes = PART_BYTES): Promise<number> => {
  const { s3, bucket, key, contentType } = target;
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType }));
  const uploadId = created.UploadId!;
  const done: { ETag: string; PartNumber: number }[] = [];
  let total = 0;
  try {
    for await (const body of parts(stream, partBytes)) {
      const PartNumber = done.length + 1;
      const answer = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.byteLength }));
      done.push({ ETag: answer.ETag!, PartNumber });
      total += body.byteLength;
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: done } }));
    return total;
  } catch (error) {
    // An upload left open costs storage until the bucket's abort-incomplete rule removes it: worth a warning.
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch((abortError: unknown) => {
      logger.warn('multipart upload not aborted', { key, error: describeError(abortError) });
    });
    throw error;
  }
};
