/**
 * The media store streams bodies of unknown length to S3 (here s3rver, the local stand-in): small bodies, bodies
 * spanning several parts, and a body that fails half way, whose multipart upload must be aborted. s3rver has no
 * ListMultipartUploads, so the S3 commands the client sends are recorded (observed, not replaced).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_S3_ACCESS_KEY, startS3, type S3StandIn } from '../../infra/local/standins/s3.ts';
import { uploadStream } from '../../shared/media/storage/multipart-upload.ts';
import { createMediaStore } from '../../shared/media/storage/store.ts';

const bucket = 'media-test';
const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'compose-media-store-'));
let standIn: S3StandIn;
let s3: S3Client;
let sent: string[] = [];

beforeAll(async () => {
  standIn = await startS3({ directory: dir, buckets: [bucket] });
  s3 = new S3Client({
    endpoint: standIn.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: LOCAL_S3_ACCESS_KEY, secretAccessKey: LOCAL_S3_ACCESS_KEY },
  });
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
});

beforeEach(() => {
  sent = [];
});

afterAll(async () => {
  s3?.destroy();
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `total` bytes in uneven chunks, each byte its offset mod 251 so any reordering shows. */
async function* pattern(total: number, chunk = 300_001): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < total; offset += chunk) {
    const size = Math.min(chunk, total - offset);
    yield Uint8Array.from({ length: size }, (_, index) => (offset + index) % 251);
  }
}

/** What `pattern(total)` yields, all at once. */
const expected = (total: number): Buffer => Buffer.from(Uint8Array.from({ length: total }, (_, offset) => offset % 251));

const stored = async (key: string): Promise<{ bytes: Uint8Array; contentType?: string }> => {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { bytes: await answer.Body!.transformToByteArray(), contentType: answer.ContentType };
};

/** The commands sent to write, leaving out the test's own reads. */
const uploadCommands = (): string[] => sent.filter((name) => name !== 'GetObject');

describe('streamed media uploads', () => {
  it('store a small body whole, with its type and size', async () => {
    const store = createMediaStore({ s3, bucket });
    const media = await store.putStream('audio', pattern(40_000), 'audio/mpeg');
    expect(media.bytes).toBe(40_000);
    const { bytes, contentType } = await stored(media.key);
    expect(contentType).toBe('audio/mpeg');
    expect(Buffer.from(bytes).equals(expected(40_000))).toBe(true);
    expect(uploadCommands()).toEqual(['PutObject']);
  });

  it('store an empty body as an empty object', async () => {
    const store = createMediaStore({ s3, bucket });
    const media = await store.putStream('audio', pattern(0), 'audio/mpeg');
    expect(media.bytes).toBe(0);
    expect((await stored(media.key)).bytes.byteLength).toBe(0);
  });

  it('store a body spanning several parts byte for byte, and leave no upload open', async () => {
    const total = 11 * MiB + 12_345;
    const key = 'test/several-parts.mp4';
    expect(await uploadStream({ s3, bucket, key, contentType: 'video/mp4' }, pattern(total), 5 * MiB)).toBe(total);
    const { bytes } = await stored(key);
    expect(bytes.byteLength).toBe(total);
    expect(Buffer.from(bytes).equals(expected(total))).toBe(true);
    expect(uploadCommands()).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload']);
  });

  it('abort the upload when the body fails after a part was sent, and report the body error', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield* pattern(6 * MiB);
      throw new Error('provider hung up');
    }
    const key = 'test/failed.mp4';
    await expect(uploadStream({ s3, bucket, key, contentType: 'video/mp4' }, failing(), 5 * MiB)).rejects.toThrow('provider hung up');
    expect(uploadCommands()).toEqual(['CreateMultipartUpload', 'UploadPart', 'AbortMultipartUpload']);
    await expect(stored(key)).rejects.toThrow();
  });

  it('release the body when S3 refuses the upload, so the provider connection is not left open', async () => {
    let released = false;
    async function* body(): AsyncGenerator<Uint8Array> {
      try {
        yield* pattern(12 * MiB);
      } finally {
        released = true;
      }
    }
    const target = { s3, bucket: 'no-such-bucket', key: 'test/refused.mp4', contentType: 'video/mp4' };
    await expect(uploadStream(target, body(), 5 * MiB)).rejects.toThrow();
    await expect.poll(() => released, { timeout: 10_000 }).toBe(true);
  });
});
