/**
 * A valid Ogg Opus stream of silence (RFC 7845): an OpusHead page, an OpusTags page, then data pages of 20 ms
 * packets. Each packet is TOC 0xF8 (CELT, fullband, 20 ms, mono, one frame) + 0xFF 0xFE, the silent frame
 * WebRTC sends. Page checksums use Ogg's CRC-32 (polynomial 0x04C11DB7, unreflected).
 */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let crc = n << 24;
  for (let i = 0; i < 8; i += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  return crc >>> 0;
});

const oggCrc = (bytes: Uint8Array): number => {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
};

const SERIAL = 0x436f6d70; // "Comp"
const PRE_SKIP = 312;
const SILENT_PACKET = Buffer.from([0xf8, 0xff, 0xfe]);
const PACKET_SAMPLES = 960; // 20 ms at 48 kHz, the rate Opus granules count in

const page = (sequence: number, granule: bigint, flags: number, packets: readonly Buffer[]): Buffer => {
  const lacing = packets.flatMap((p) => [...Array(Math.floor(p.length / 255)).fill(255), p.length % 255]);
  const header = Buffer.alloc(27 + lacing.length);
  header.write('OggS', 0, 'ascii');
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(SERIAL, 14);
  header.writeUInt32LE(sequence, 18);
  header[26] = lacing.length;
  header.set(lacing, 27);
  const out = Buffer.concat([header, ...packets]);
  out.writeUInt32LE(oggCrc(out), 22);
  return out;
};

const opusHead = (): Buffer => {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'ascii');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(PRE_SKIP, 10);
  head.writeUInt32LE(24_000, 12); // the input rate, informational
  return head;
};

const opusTags = (): Buffer => {
  const vendor = Buffer.from('compose-simulator');
  const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
  tags.write('OpusTags', 0, 'ascii');
  tags.writeUInt32LE(vendor.length, 8);
  vendor.copy(tags, 12);
  return tags;
};

export const silentOggOpus = (seconds: number): Buffer => {
  const packets = Math.max(1, Math.ceil((seconds * 48_000) / PACKET_SAMPLES));
  const pages = [page(0, 0n, 0x02, [opusHead()]), page(1, 0n, 0, [opusTags()])];
  const PER_PAGE = 50; // one second per page
  for (let sent = 0; sent < packets; sent += PER_PAGE) {
    const count = Math.min(PER_PAGE, packets - sent);
    const last = sent + count >= packets;
    const granule = BigInt(PRE_SKIP + (sent + count) * PACKET_SAMPLES);
    pages.push(page(pages.length, granule, last ? 0x04 : 0, Array(count).fill(SILENT_PACKET)));
  }
  return Buffer.concat(pages);
};
