/**
 * A valid FLAC stream of silence: STREAMINFO, then frames of one CONSTANT subframe each (the encoding FLAC
 * itself uses for digital silence), with the header CRC-8 and frame CRC-16 the format requires.
 */
const BLOCK = 4096;
const SAMPLE_RATE = 24_000;

const crc8 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
};

const crc16 = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
};

/** FLAC's UTF-8-like coding of the frame number (frames here stay below 2^11). */
const frameNumber = (n: number): number[] => (n < 0x80 ? [n] : [0xc0 | (n >> 6), 0x80 | (n & 0x3f)]);

const frame = (index: number, samples: number): Buffer => {
  // Block size code 0111: a 16-bit (size - 1) follows the frame number; sample rate code 0111 = 24 kHz.
  const header = [0xff, 0xf8, 0x77, 0x08, ...frameNumber(index), (samples - 1) >> 8, (samples - 1) & 0xff];
  const withCrc8 = [...header, crc8(Uint8Array.from(header))];
  const body = [...withCrc8, 0x00, 0x00, 0x00]; // subframe header CONSTANT, then the 16-bit value 0
  const crc = crc16(Uint8Array.from(body));
  return Buffer.from([...body, crc >> 8, crc & 0xff]);
};

const streamInfo = (totalSamples: number): Buffer => {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(BLOCK, 0);
  info.writeUInt16BE(BLOCK, 2);
  // 20 bits sample rate, 3 bits channels - 1 (mono), 5 bits bits-per-sample - 1 (16), 36 bits total samples.
  info[10] = SAMPLE_RATE >> 12;
  info[11] = (SAMPLE_RATE >> 4) & 0xff;
  info[12] = ((SAMPLE_RATE & 0x0f) << 4) | (0 << 1) | (15 >> 4);
  info[13] = ((15 & 0x0f) << 4) | Math.floor(totalSamples / 2 ** 32);
  info.writeUInt32BE(totalSamples % 2 ** 32, 14);
  return info;
};

export const silentFlac = (seconds: number): Buffer => {
  const total = Math.max(1, Math.round(seconds * SAMPLE_RATE));
  const frames: Buffer[] = [];
  for (let done = 0, i = 0; done < total; done += BLOCK, i += 1) frames.push(frame(i, Math.min(BLOCK, total - done)));
  // Metadata block header: last-block flag, type 0 (STREAMINFO), length 34.
  return Buffer.concat([Buffer.from('fLaC'), Buffer.from([0x80, 0, 0, 34]), streamInfo(total), ...frames]);
};
