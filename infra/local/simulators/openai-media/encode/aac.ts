/**
 * A valid ADTS AAC-LC stream of silence, 24 kHz mono. Each raw data block is one single-channel element with
 * max_sfb = 0 (no spectral data: silence) followed by the END element; those 32 bits are 00 00 00 07.
 * 1024 samples per frame.
 */
const SAMPLE_RATE = 24_000;
const SAMPLES_PER_FRAME = 1024;
const RAW_BLOCK = [0x00, 0x00, 0x00, 0x07];

/** 7-byte ADTS header: MPEG-4, no CRC, LC, frequency index 6 (24 kHz), one channel, buffer fullness 0x7FF (VBR). */
const header = (frameLength: number): number[] => [
  0xff,
  0xf1,
  (1 << 6) | (6 << 2) | (1 >> 2),
  ((1 & 3) << 6) | (frameLength >> 11),
  (frameLength >> 3) & 0xff,
  ((frameLength & 7) << 5) | 0x1f,
  0xfc,
];

export const silentAac = (seconds: number): Buffer => {
  const frames = Math.max(1, Math.ceil((seconds * SAMPLE_RATE) / SAMPLES_PER_FRAME));
  const one = Buffer.from([...header(7 + RAW_BLOCK.length), ...RAW_BLOCK]);
  return Buffer.concat(Array(frames).fill(one));
};
