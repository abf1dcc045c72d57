/**
 * Real PNG files, generated locally: 8-bit RGB, one deflated IDAT, CRC-checked chunks. The picture is a
 * gradient tinted by a seed (the prompt), so different prompts give visibly different, decodable images.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const chunk = (type: string, data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
};

/** A stable 32-bit hash of a string (FNV-1a), to tint images and vary fake vectors. */
export const seedOf = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
};

/** The largest side the simulators draw (larger requests are clamped to it). */
const MAX_SIDE = 4096;

export const encodePng = (width: number, height: number, seed = 0): Uint8Array => {
  const w = Math.max(1, Math.min(MAX_SIDE, Math.floor(width)));
  const h = Math.max(1, Math.min(MAX_SIDE, Math.floor(height)));
  const tint = [seed & 0xff, (seed >>> 8) & 0xff, (seed >>> 16) & 0xff] as const;
  const rowLength = 1 + w * 3;
  const raw = Buffer.alloc(rowLength * h);
  for (let y = 0; y < h; y += 1) {
    const row = y * rowLength;
    raw[row] = 0; // filter: none
    for (let x = 0; x < w; x += 1) {
      const offset = row + 1 + x * 3;
      raw[offset] = (Math.floor((x * 255) / w) + tint[0]) & 0xff;
      raw[offset + 1] = (Math.floor((y * 255) / h) + tint[1]) & 0xff;
      raw[offset + 2] = tint[2];
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0;
  header[11] = 0;
  header[12] = 0;
  return new Uint8Array(Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
};

/** Width and height from a PNG's IHDR, or undefined when the bytes are not a PNG. */
export const pngSize = (bytes: Uint8Array): { readonly width: number; readonly height: number } | undefined => {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(SIGNATURE) || buffer.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) };
};
