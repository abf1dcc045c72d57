/**
 * Seconds of audio measured from the file itself, for providers whose transcription answer does not say how
 * long the audio was (transcription is billed on it). Reads WAV headers, FLAC STREAMINFO and MP3 frame headers
 * (CBR or VBR, walking the frames); anything else is undefined and the caller falls back to the transcript's
 * timestamps.
 */

const ascii = (bytes: Uint8Array, offset: number, length: number): string => String.fromCharCode(...bytes.subarray(offset, offset + length));

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const wavSeconds = (bytes: Uint8Array): number | undefined => {
  const data = view(bytes);
  let byteRate: number | undefined;
  for (let offset = 12; offset + 8 <= bytes.byteLength; ) {
    const id = ascii(bytes, offset, 4);
    const size = data.getUint32(offset + 4, true);
    if (id === 'fmt ' && offset + 20 <= bytes.byteLength) byteRate = data.getUint32(offset + 16, true);
    if (id === 'data') {
      if (!byteRate) return undefined;
      // A streamed WAV may declare 0 or 0xFFFFFFFF: measure what is there instead.
      const available = bytes.byteLength - offset - 8;
      const length = size === 0 || size === 0xffffffff || size > available ? available : size;
      return length / byteRate;
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
};

const flacSeconds = (bytes: Uint8Array): number | undefined => {
  if (bytes.byteLength < 4 + 4 + 34 || (bytes[4]! & 0x7f) !== 0) return undefined;
  const packed = view(bytes).getBigUint64(4 + 4 + 10);
  const sampleRate = Number(packed >> 44n);
  const totalSamples = Number(packed & 0xfffffffffn);
  return sampleRate > 0 && totalSamples > 0 ? totalSamples / sampleRate : undefined;
};

const MP3_BITRATES = {
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l3: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;
const MP3_SAMPLE_RATES = { 3: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 0: [11_025, 12_000, 8_000] } as const;

/** Skips an ID3v2 tag, then walks Layer III frame headers summing their samples. */
const mp3Seconds = (bytes: Uint8Array): number | undefined => {
  let offset = 0;
  if (ascii(bytes, 0, 3) === 'ID3' && bytes.byteLength >= 10) {
    offset = 10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f));
  }
  let seconds = 0;
  let frames = 0;
  while (offset + 4 <= bytes.byteLength) {
    const b1 = bytes[offset + 1]!;
    const b2 = bytes[offset + 2]!;
    if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) break;
    const version = (b1 >> 3) & 0x3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    const layer = (b1 >> 1) & 0x3; // 1: Layer III
    const bitrateIndex = b2 >> 4;
    const rateIndex = (b2 >> 2) & 0x3;
    if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) break;
    const bitrate = (version === 3 ? MP3_BITRATES.v1l3 : MP3_BITRATES.v2l3)[bitrateIndex]! * 1000;
    const sampleRate = MP3_SAMPLE_RATES[version as 3 | 2 | 0][rateIndex]!;
    const samples = version === 3 ? 1152 : 576;
    const length = Math.floor((samples / 8) * (bitrate / sampleRate)) + ((b2 >> 1) & 0x1);
    seconds += samples / sampleRate;
    frames += 1;
    offset += length;
  }
  return frames > 0 ? seconds : undefined;
};

/** Seconds of audio in `bytes`, or undefined when the format is not one this reads. */
export const measureAudioSeconds = (bytes: Uint8Array): number | undefined => {
  if (bytes.byteLength < 12) return undefined;
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WAVE') return wavSeconds(bytes);
  if (ascii(bytes, 0, 4) === 'fLaC') return flacSeconds(bytes);
  return mp3Seconds(bytes);
};
