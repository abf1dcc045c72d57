/**
 * RIFF/WAVE: reading the format and exact duration of an upload (what transcription is billed on), and
 * wrapping raw PCM in a header (providers that answer with bare PCM when a client asked for WAV).
 */

export interface PcmFormat {
  readonly sampleRate: number;
  readonly channels: number;
  readonly bitsPerSample: number;
}

export interface WavInfo extends PcmFormat {
  readonly dataBytes: number;
  readonly durationSeconds: number;
}

const text = (bytes: Uint8Array, offset: number, length: number): string => String.fromCharCode(...bytes.subarray(offset, offset + length));

/**
 * Walks the chunks for `fmt ` and `data`; undefined when the bytes are not a readable PCM WAV. `totalBytes` is
 * the whole file's size when `bytes` are only its first bytes (an upload read from storage by range): the
 * headers are enough, the data chunk's size is checked against the file's.
 */
export const readWavInfo = (bytes: Uint8Array, totalBytes: number = bytes.length): WavInfo | undefined => {
  if (bytes.length < 12 || text(bytes, 0, 4) !== 'RIFF' || text(bytes, 8, 4) !== 'WAVE') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: PcmFormat | undefined;
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const id = text(bytes, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= bytes.length) {
      format = { channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bitsPerSample: view.getUint16(body + 14, true) };
    } else if (id === 'data' && format) {
      // Streamed WAVs carry a placeholder size (0 or 0xFFFFFFFF): the data then runs to the end of the file.
      const available = Math.max(0, totalBytes - body);
      const dataBytes = size === 0 || size > available ? available : size;
      const bytesPerSecond = format.sampleRate * format.channels * (format.bitsPerSample / 8);
      if (bytesPerSecond <= 0) return undefined;
      return { ...format, dataBytes, durationSeconds: dataBytes / bytesPerSecond };
    }
    offset = body + size + (size % 2);
  }
  return undefined;
};

/** The 44-byte canonical header for `dataBytes` of little-endian PCM. */
export const wavHeader = (format: PcmFormat, dataBytes: number): Uint8Array => {
  const header = new Uint8Array(44);
  const view = new DataView(header.buffer);
  const write = (offset: number, value: string): void => {
    for (let i = 0; i < value.length; i += 1) header[offset + i] = value.charCodeAt(i);
  };
  const blockAlign = format.channels * (format.bitsPerSample / 8);
  write(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  write(8, 'WAVE');
  write(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, format.bitsPerSample, true);
  write(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
};

export const wavFromPcm = (pcm: Uint8Array, format: PcmFormat): Uint8Array => {
  const out = new Uint8Array(44 + pcm.length);
  out.set(wavHeader(format, pcm.length), 0);
  out.set(pcm, 44);
  return out;
};
