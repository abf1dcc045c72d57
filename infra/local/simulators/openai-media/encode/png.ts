/**
 * A real PNG from pixels: signature, IHDR, one zlib-deflated IDAT, IEND, each chunk with its CRC-32. 8-bit
 * RGB, filter type 0 on every row. Small enough to read, valid for every decoder.
 */
import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const chunk = (type: string, data: Uint8Array): Buffer => {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
};

/** `pixel(x, y)` returns [r, g, b]. */
export const encodePng = (width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const [r, g, b] = pixel(x, y);
      const at = y * stride + 1 + x * 3;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
    }
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
};

/** A deterministic picture for a prompt: diagonal bands in two colours derived from the prompt's hash. */
export const promptPicture = (width: number, height: number, seed: number): Buffer => {
  const a = [seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff] as const;
  const b = [255 - a[0], 255 - a[1], 255 - a[2]] as const;
  const band = Math.max(8, Math.floor(Math.min(width, height) / 8));
  return encodePng(width, height, (x, y) => (Math.floor((x + y) / band) % 2 === 0 ? a : b));
};
