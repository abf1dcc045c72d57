/**
 * Real FLAC files: a STREAMINFO block and frames of VERBATIM subframes (16-bit mono), with the CRC-8 frame
 * headers and CRC-16 footers the format requires. Uncompressed, but every decoder accepts it.
 */
import { pcmTone } from './wav.ts';

const SAMPLE_RATE = 24_000;
const BLOCK = 4096;

const crc8 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
};

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
};

/** FLAC's UTF-8-like frame number coding, for numbers below 2^11 (plenty for a simulator's clip). */
const codedNumber = (value: number): number[] => (value < 0x80 ? [value] : [0xc0 | (value >> 6), 0x80 | (value & 0x3f)]);

const streamInfo = (totalSamples: number): Buffer => {
  const block = Buffer.alloc(4 + 34);
  block[0] = 0x80; // last metadata block, type 0 (STREAMINFO)
  block.writeUIntBE(34, 1, 3);
  block.writeUInt16BE(BLOCK, 4);
  block.writeUInt16BE(BLOCK, 6);
  // min/max frame size unknown (0). Sample rate (20 bits), channels-1 (3), bits-1 (5), total samples (36).
  const packed = (BigInt(SAMPLE_RATE) << 44n) | (0n << 41n) | (15n << 36n) | BigInt(totalSamples);
  block.writeBigUInt64BE(packed, 14);
  return block; // MD5 left zero: "not computed", which decoders accept
};

const frame = (index: number, samples: Int16Array): Buffer => {
  const blockSizeCode = 0x7; // 16-bit (blocksize-1) follows the header
  const header = Buffer.from([0xff, 0xf8, (blockSizeCode << 4) | 0x0, (0x0 << 4) | (0x4 << 1), ...codedNumber(index)]);
  // sample rate code 0 = from STREAMINFO; channel 0 = mono; sample size 4 (0b100) = 16 bits
  const size = Buffer.alloc(2);
  size.writeUInt16BE(samples.length - 1);
  const withSize = Buffer.concat([header, size]);
  const head = Buffer.concat([withSize, Buffer.from([crc8(withSize)])]);
  const body = Buffer.alloc(1 + samples.length * 2);
  body[0] = 0x02; // subframe: zero pad, VERBATIM (000001), no wasted bits
  for (let i = 0; i < samples.length; i += 1) body.writeInt16BE(samples[i]!, 1 + i * 2);
  const content = Buffer.concat([head, body]);
  const footer = Buffer.alloc(2);
  footer.writeUInt16BE(crc16(content));
  return Buffer.concat([content, footer]);
};

export const encodeFlac = (seconds: number): Uint8Array => {
  const pcm = pcmTone(seconds, SAMPLE_RATE);
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2);
  const frames: Buffer[] = [];
  for (let start = 0, index = 0; start < samples.length; start += BLOCK, index += 1) frames.push(frame(index, samples.subarray(start, start + BLOCK)));
  return new Uint8Array(Buffer.concat([Buffer.from('fLaC', 'latin1'), streamInfo(samples.length), ...frames]));
};
