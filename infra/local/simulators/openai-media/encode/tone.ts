/** 16-bit little-endian mono PCM of a quiet sine tone: audible proof the bytes are audio, not silence. */
export const tonePcm = (seconds: number, sampleRate: number, frequency = 440, amplitude = 0.1): Buffer => {
  const samples = Math.max(1, Math.round(seconds * sampleRate));
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) {
    out.writeInt16LE(Math.round(Math.sin((2 * Math.PI * frequency * i) / sampleRate) * amplitude * 32767), i * 2);
  }
  return out;
};
