/** Helpers the media adapter tests share: call options, real-media checks, error capture. */
import { inflateSync, crc32 } from 'node:zlib';
import { expect } from 'vitest';
import { audioDuration } from '../../layers/core/media/formats/duration.ts';
import type { CallOptions } from '../../layers/providers/types.ts';
import type { UpstreamError, ComposeError } from '../../layers/core/errors.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

export const callOptions = (): CallOptions => ({ signal: new AbortController().signal, requestId: 'req_media_test' });

/** A fetch that adds the simulators' fault header to every request it sends through `via` (an in-memory link's fetch). */
export const fetchWithFault =
  (fault: string, via: ProviderFetch): ProviderFetch =>
  (input, init) =>
    via(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-sim-fault': fault } });

/** Decodes a PNG fully (chunk CRCs, IHDR, inflated scanlines) and returns its size; fails the test if invalid. */
export const decodePng = (bytes: Uint8Array): { width: number; height: number } => {
  const buffer = Buffer.from(bytes);
  expect(buffer.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset < buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    expect(buffer.readUInt32BE(offset + 8 + length)).toBe(crc32(buffer.subarray(offset + 4, offset + 8 + length)));
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 2]);
    }
    if (type === 'IDAT') idat.push(data);
    if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  expect(ended).toBe(true);
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (1 + width * 3));
  return { width, height };
};

export const readAll = async (stream: ReadableStream<Uint8Array>): Promise<Uint8Array> => new Uint8Array(await new Response(stream).arrayBuffer());

/** Audio whose length the bytes tell: its length in seconds; fails the test otherwise. */
export const audioSeconds = (bytes: Uint8Array): number => {
  const seconds = audioDuration(bytes)?.seconds;
  expect(seconds).toBeGreaterThan(0);
  return seconds!;
};

export const rejection = async <T extends ComposeError = UpstreamError>(promise: Promise<unknown>): Promise<T> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeDefined();
  return error as T;
};

export const norm = (vector: readonly number[]): number => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
