/** Real WAV files (RIFF, 16-bit PCM, mono) holding a sine tone, and the bare PCM for `pcm` requests. */

export const WAV_SAMPLE_RATE = 24_000;

/** 16-bit little-endian mono samples of a soft tone, `seconds` long. */
export const pcmTone = (seconds: number, sampleRate = WAV_SAMPLE_RATE, frequency = 440): Uint8Array => {
  const samples = Math.max(1, Math.round(seconds * sampleRate));
  const pcm = Buffer.alloc(samples * 2);
  for (let index = 0; index < samples; index += 1) {
    pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * index) / sampleRate) * 8_000), index * 2);
  }
  return new Uint8Array(pcm);
};

/** A RIFF/WAVE header in front of 16-bit mono PCM. */
export const wrapWav = (pcm: Uint8Array, sampleRate = WAV_SAMPLE_RATE): Uint8Array => {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.byteLength, 40);
  return new Uint8Array(Buffer.concat([header, pcm]));
};

export const encodeWav = (seconds: number, sampleRate = WAV_SAMPLE_RATE): Uint8Array => wrapWav(pcmTone(seconds, sampleRate), sampleRate);
