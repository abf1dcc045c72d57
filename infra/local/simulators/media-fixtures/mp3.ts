/**
 * Real MP3 files: MPEG-1 Layer III frames at 128 kbit/s, 44.1 kHz, mono. Each frame has a valid header and
 * side information with no Huffman data, which every decoder plays as silence (no encoder needed).
 */

const SAMPLES_PER_FRAME = 1152;
const SAMPLE_RATE = 44_100;
/** 144 × 128000 / 44100, no padding. */
const FRAME_BYTES = 417;
/** Sync, MPEG-1, Layer III, no CRC · 128 kbit/s, 44.1 kHz, no padding · mono. */
const HEADER = [0xff, 0xfb, 0x90, 0xc0] as const;

export const encodeMp3 = (seconds: number): Uint8Array => {
  const frames = Math.max(1, Math.ceil((seconds * SAMPLE_RATE) / SAMPLES_PER_FRAME));
  const bytes = new Uint8Array(frames * FRAME_BYTES);
  for (let frame = 0; frame < frames; frame += 1) bytes.set(HEADER, frame * FRAME_BYTES);
  return bytes;
};
