/**
 * Valid MPEG-1 Layer III frames of silence: 48 kHz, 64 kbit/s, mono, no CRC. At that rate a frame is exactly
 * 144 × 64000 / 48000 = 192 bytes (no padding) and holds 1152 samples (24 ms). Side information and main
 * data are all zeros: every granule has part2_3_length 0, which decoders render as silence.
 */
export const MP3_FRAME = { bytes: 192, seconds: 1152 / 48_000, sampleRate: 48_000, bitrate: 64_000 } as const;

// 0xFFFB: sync, MPEG-1, Layer III, no CRC. 0x54: bitrate index 5 (64k), 48 kHz, no padding. 0xC4: mono, original.
const HEADER = [0xff, 0xfb, 0x54, 0xc4] as const;

export const silentMp3 = (seconds: number): Buffer => {
  const frames = Math.max(1, Math.ceil(seconds / MP3_FRAME.seconds));
  const out = Buffer.alloc(frames * MP3_FRAME.bytes);
  for (let i = 0; i < frames; i += 1) out.set(HEADER, i * MP3_FRAME.bytes);
  return out;
};
