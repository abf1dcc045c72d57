/**
 * Uploads in the media bucket, through an injected S3 client: a presigned PUT for the client to send the file
 * straight to S3 (never through a function), then, when a call uses it, HeadObject (exists, complete, its size),
 * a ranged GET of its first bytes, and GetObject as a stream. Reads pin the ETag seen by HeadObject (`If-Match`),
 * so a file replaced through the same URL mid-call is refused rather than read half old, half new.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ConflictError } from '../../layers/core/errors.ts';

export interface PresignedPut {
  readonly url: string;
  /** What the PUT must send, exactly: both are signed, so S3 refuses any other length or type. */
  readonly headers: Readonly<Record<string, string>>;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

/** An upload S3 holds whole (a PUT is atomic: a key exists only once its last byte arrived). */
export interface StoredUpload {
  readonly key: string;
  readonly bytes: number;
  readonly etag: string;
  readonly contentType: string | undefined;
}

export interface UploadStore {
  presignPut(key: string, bytes: number, contentType: string): Promise<PresignedPut>;
  /** The upload at `key`, or undefined when nothing (or nothing finished) is there. */
  find(key: string): Promise<StoredUpload | undefined>;
  /** Its first `bytes` bytes (fewer when it is shorter), for sniffing and headers. */
  readHead(upload: StoredUpload, bytes: number): Promise<Uint8Array>;
  /** The whole file as a stream; nothing is fetched until the stream is first read. */
  open(upload: StoredUpload): ReadableStream<Uint8Array>;
}

export interface UploadStoreOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** How long an upload URL works (default one hour). */
  readonly urlTtlSeconds?: number;
}

export const UPLOAD_URL_TTL_SECONDS = 3600;

const statusOf = (error: unknown): number | undefined => (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

const changed = (cause: unknown): ConflictError =>
  new ConflictError('upload_changed', 'The upload was replaced while this call was reading it; send the call again.', { param: 'file_id', cause });

/** S3's 412 on `If-Match` becomes a clear 409; anything else is the store's failure, left as it is. */
const pinned = async <T>(read: () => Promise<T>): Promise<T> => {
  try {
    return await read();
  } catch (error) {
    throw statusOf(error) === 412 ? changed(error) : error;
  }
};

export const createUploadStore = ({ s3, bucket, urlTtlSeconds = UPLOAD_URL_TTL_SECONDS }: UploadStoreOptions): UploadStore => {
  const get = async (upload: StoredUpload, range?: string) => {
    const answer = await pinned(() => s3.send(new GetObjectCommand({ Bucket: bucket, Key: upload.key, IfMatch: upload.etag, ...(range ? { Range: range } : {}) })));
    // A store that ignores If-Match (some S3-compatible ones; the local stand-in) still names what it sent.
    if (answer.ETag !== undefined && upload.etag !== '' && answer.ETag !== upload.etag) {
      (answer.Body as Readable | undefined)?.destroy();
      throw changed(new Error(`ETag ${answer.ETag} is not the pinned ${upload.etag}`));
    }
    return answer;
  };

  return {
    presignPut: async (key, bytes, contentType) => {
      const command = new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: bytes, ContentType: contentType });
      // Content-Type is not signed by default; signing both makes S3 itself enforce the declared size.
      const url = await getSignedUrl(s3, command, { expiresIn: urlTtlSeconds, signableHeaders: new Set(['content-length', 'content-type']) });
      return { url, headers: { 'Content-Type': contentType, 'Content-Length': String(bytes) }, expiresAt: Math.floor(Date.now() / 1000) + urlTtlSeconds };
    },
    find: async (key) => {
      try {
        const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, bytes: head.ContentLength ?? 0, etag: head.ETag ?? '', contentType: head.ContentType };
      } catch (error) {
        if (statusOf(error) === 404 || (error as Error | null)?.name === 'NotFound') return undefined;
        throw error;
      }
    },
    readHead: async (upload, bytes) => {
      if (upload.bytes === 0) return new Uint8Array(0);
      const answer = await get(upload, `bytes=0-${Math.min(bytes, upload.bytes) - 1}`);
      const data = await answer.Body!.transformToByteArray();
      return data.byteLength > bytes ? data.subarray(0, bytes) : data;
    },
    open: (upload) =>
      ReadableStream.from(
        (async function* () {
          const answer = await get(upload);
          const body = answer.Body as Readable;
          let read = 0;
          try {
            for await (const chunk of body as AsyncIterable<Uint8Array>) {
              read += chunk.byteLength;
              yield chunk;
            }
            // A file rewritten while it was read can end early (or late): never pass it off as the one pinned.
            if (read !== upload.bytes) throw changed(new Error(`read ${read} bytes of ${upload.bytes}`));
          } finally {
            // A reader that stops early (the provider hung up, the call was aborted) frees the connection.
            body.destroy();
          }
        })(),
      ),
  };
};
