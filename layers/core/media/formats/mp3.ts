/**
 * MPEG audio frame headers: enough to estimate an MP3's duration from its first frame (exact for constant
 * bit rate, an estimate otherwise). Used where a provider reports no duration.
 */

const BITRATES_KBPS = {
  /** MPEG-1 Layer III. */
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  /** MPEG-2 and 2.5 Layer III. */
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;

const SAMPLE_RATES: Readonly<Record<number, readonly number[]>> = {
  3: [44_100, 48_000, 32_000],
  2: [22_050, 24_000, 16_000],
  0: [11_025, 12_000, 8_000],
};

export interface Mp3FrameInfo {
  readonly bitrate: number;
  readonly sampleRate: number;
  readonly offset: number;
}

/** Size of a leading ID3v2 tag (header + body), 0 when there is none. */
const id3Size = (bytes: Uint8Array): number => {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  return 10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f));
};

/** The first Layer III frame header after any ID3 tag. */
export const readMp3Frame = (bytes: Uint8Array): Mp3FrameInfo | undefined => {
  const offset = id3Size(bytes);
  if (bytes.length < offset + 4 || bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (bytes[offset + 1]! >> 3) & 0x03;
  const layer = (bytes[offset + 1]! >> 1) & 0x03;
  if (version === 1 || layer !== 1) return undefined;
  const bitrateIndex = bytes[offset + 2]! >> 4;
  const rateIndex = (bytes[offset + 2]! >> 2) & 0x03;
  const kbps = (version === 3 ? BITRATES_KBPS.v1 : BITRATES_KBPS.v2)[bitrateIndex];
  const sampleRate = SAMPLE_RATES[version]?.[rateIndex];
  if (!kbps || !sampleRate) return undefined;
  return { bitrate: kbps * 1000, sampleRate, offset };
};

/** Seconds of audio if every frame has the first frame's bit rate (`totalBytes`: the file's size, when `bytes` are its start). */
export const estimateMp3Seconds = (bytes: Uint8Array, totalBytes: number = bytes.length): number | undefined => {
  const frame = readMp3Frame(bytes);
  return frame ? ((totalBytes - frame.offset) * 8) / frame.bitrate : undefined;
};
