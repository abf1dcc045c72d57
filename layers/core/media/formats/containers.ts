/**
 * Durations declared by compressed containers: FLAC's STREAMINFO, an Ogg stream's last granule position,
 * and an MP4/M4A movie header. Each is what the file claims, so callers bill on them only as estimates.
 */

const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const tag = (bytes: Uint8Array, offset: number, text: string): boolean =>
  bytes.length >= offset + text.length && [...text].every((c, i) => bytes[offset + i] === c.charCodeAt(0));

/** STREAMINFO is the first metadata block: 20-bit sample rate, then a 36-bit total sample count. */
export const flacSeconds = (bytes: Uint8Array): number | undefined => {
  if (!tag(bytes, 0, 'fLaC') || bytes.length < 8 + 34 || (bytes[4]! & 0x7f) !== 0) return undefined;
  const info = 8;
  const sampleRate = (bytes[info + 10]! << 12) | (bytes[info + 11]! << 4) | (bytes[info + 12]! >> 4);
  const samples = (bytes[info + 13]! & 0x0f) * 2 ** 32 + view(bytes).getUint32(info + 14);
  return sampleRate > 0 && samples > 0 ? samples / sampleRate : undefined;
};

/** Opus granules count 48 kHz samples; Vorbis ones count samples at the rate in its identification header. */
export const oggSeconds = (bytes: Uint8Array): number | undefined => {
  if (!tag(bytes, 0, 'OggS')) return undefined;
  const opus = tag(bytes, 28, 'OpusHead');
  const rate = opus ? 48_000 : tag(bytes, 29, 'vorbis') ? view(bytes).getUint32(40, true) : undefined;
  if (!rate) return undefined;
  // Opus granules include the decoder's pre-skip, which is not audio.
  const preSkip = opus && bytes.length >= 40 ? view(bytes).getUint16(38, true) : 0;
  for (let at = bytes.length - 27; at >= 0; at -= 1) {
    if (bytes[at] === 0x4f && tag(bytes, at, 'OggS')) {
      const granule = Number(view(bytes).getBigInt64(at + 6, true));
      return granule > preSkip ? (granule - preSkip) / rate : undefined;
    }
  }
  return undefined;
};

/** `moov` → `mvhd`: timescale and duration (32- or 64-bit by the box version). */
export const mp4Seconds = (bytes: Uint8Array): number | undefined => {
  const data = view(bytes);
  const find = (start: number, end: number, type: string): { start: number; end: number } | undefined => {
    for (let at = start; at + 8 <= end; ) {
      const size = data.getUint32(at);
      const boxEnd = size === 0 ? end : at + size;
      if (size !== 0 && size < 8) return undefined;
      if (tag(bytes, at + 4, type)) return { start: at + 8, end: Math.min(boxEnd, end) };
      at = boxEnd;
    }
    return undefined;
  };
  const moov = find(0, bytes.length, 'moov');
  const mvhd = moov && find(moov.start, moov.end, 'mvhd');
  if (!mvhd || mvhd.end - mvhd.start < 32) return undefined;
  const v1 = bytes[mvhd.start] === 1;
  const timescale = data.getUint32(mvhd.start + (v1 ? 20 : 12));
  const duration = v1 ? Number(data.getBigUint64(mvhd.start + 24)) : data.getUint32(mvhd.start + 16);
  return timescale > 0 ? duration / timescale : undefined;
};

const ADTS_RATES = [96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000, 7_350];

/** ADTS AAC: 1024 samples per frame; frames are counted by walking their 13-bit lengths. */
export const adtsSeconds = (bytes: Uint8Array): number | undefined => {
  const rate = bytes.length >= 7 && bytes[0] === 0xff && (bytes[1]! & 0xf6) === 0xf0 ? ADTS_RATES[(bytes[2]! >> 2) & 0x0f] : undefined;
  if (!rate) return undefined;
  let frames = 0;
  for (let at = 0; at + 7 <= bytes.length && bytes[at] === 0xff; frames += 1) {
    const length = ((bytes[at + 3]! & 0x03) << 11) | (bytes[at + 4]! << 3) | (bytes[at + 5]! >> 5);
    if (length < 7) break;
    at += length;
  }
  return frames > 0 ? (frames * 1024) / rate : undefined;
};
