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

/** Wraps raw scanlines (each a filter byte then RGB triples) as a PNG; `padding` goes in a private chunk decoders skip. */
const pngOf = (width: number, height: number, raw: Buffer, padding?: Uint8Array): Buffer => {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const idat = chunk('IDAT', deflateSync(raw));
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), idat, ...(padding ? [chunk('paDd', padding)] : []), chunk('IEND', new Uint8Array(0))]);
};

/** `pixel(x, y)` returns [r, g, b]. */
export const encodePng = (width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer => {
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) raw.set(pixel(x, y), y * stride + 1 + x * 3);
  }
  return pngOf(width, height, raw);
};

/**
 * A deterministic picture for a prompt: diagonal bands in two colours derived from the prompt's hash. Each row
 * is the previous one shifted by a pixel, so rows are copied out of one long painted strip (fast at 1792 px).
 * `revealedRows` (for partial renderings) paints only the first rows and leaves the rest mid-grey.
 */
const paintPrompt = (width: number, height: number, seed: number, revealedRows = height): Buffer => {
  const a = [seed & 0xff, (seed >> 8) & 0xff, (seed >> 16) & 0xff] as const;
  const b = [255 - a[0], 255 - a[1], 255 - a[2]] as const;
  const band = Math.max(8, Math.floor(Math.min(width, height) / 8));
  const strip = Buffer.alloc((width + 2 * band) * 3);
  for (let x = 0; x < width + 2 * band; x += 1) strip.set(Math.floor(x / band) % 2 === 0 ? a : b, x * 3);
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height, 0x80);
  for (let y = 0; y < height; y += 1) {
    raw[y * stride] = 0; // filter type 0
    if (y >= revealedRows) continue;
    const shift = (y % (2 * band)) * 3;
    strip.copy(raw, y * stride + 1, shift, shift + width * 3);
  }
  return raw;
};

export const promptPicture = (width: number, height: number, seed: number): Buffer => pngOf(width, height, paintPrompt(width, height, seed));

/**
 * A valid 64×64 PNG of exactly `bytes` bytes (at least a few hundred): the picture plus a private ancillary chunk
 * of padding, for tests and benchmarks that need a large image without painting millions of pixels.
 */
export const paddedPicture = (bytes: number, seed = 1): Buffer => {
  const plain = promptPicture(64, 64, seed);
  return pngOf(64, 64, paintPrompt(64, 64, seed), new Uint8Array(bytes - plain.length - 12).fill(0x2a));
};

/**
 * Partial rendering `index` of `count` of the same picture: a valid PNG of the full size in which the top
 * (index + 1) / (count + 1) of the rows are painted, as a progressive render would show it.
 */
export const partialPromptPicture = (width: number, height: number, seed: number, index: number, count: number): Buffer =>
  pngOf(width, height, paintPrompt(width, height, seed, Math.floor((height * (index + 1)) / (count + 1))));
