/**
 * A small, valid MP4 made locally: `ftyp`, `moov` (one H.264 video track, sample tables) and `mdat`, in the
 * fast-start order players stream. The pictures are a colour gradient that moves from frame to frame, at a
 * thumbnail size with the requested aspect ratio and the requested duration.
 */
import { H264_CONSTRAINTS, H264_LEVEL, H264_PROFILE_BASELINE, idrPicture, pictureParameterSet, sequenceParameterSet, type PictureSize } from './h264.ts';

const u16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

type Bytes = readonly number[] | Uint8Array;

const box = (type: string, ...parts: Bytes[]): Uint8Array => {
  const size = 8 + parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(size);
  out.set([...u32(size), ...ascii(type)], 0);
  let offset = 8;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

const fullBox = (type: string, version: number, flags: number, ...parts: Bytes[]): Uint8Array => box(type, [version, (flags >>> 16) & 0xff, (flags >>> 8) & 0xff, flags & 0xff], ...parts);

/** The identity transformation matrix every track header carries. */
const MATRIX = [...u32(0x00010000), ...u32(0), ...u32(0), ...u32(0), ...u32(0x00010000), ...u32(0), ...u32(0), ...u32(0), ...u32(0x40000000)];

export interface Mp4Options {
  readonly width: number;
  readonly height: number;
  readonly seconds: number;
  readonly fps?: number;
}

/** The thumbnail-sized picture for a provider size such as `1280x720`: same orientation, even dimensions. */
export const thumbnailSize = (size: string): PictureSize => {
  const [w, h] = size.split('x').map(Number) as [number, number];
  if (!w || !h || w === h) return { width: 48, height: 48 };
  return w > h ? { width: 64, height: 36 } : { width: 36, height: 64 };
};

export const makeMp4 = ({ width, height, seconds, fps = 4 }: Mp4Options): Uint8Array => {
  const size = { width, height };
  const sps = sequenceParameterSet(size);
  const pps = pictureParameterSet();
  const frames = Math.max(1, Math.round(seconds * fps));
  const timescale = 1000;
  const delta = Math.round(timescale / fps);
  const duration = frames * delta;

  const samples = Array.from({ length: frames }, (_, i) =>
    idrPicture(size, i, {
      luma: (x, y) => 16 + ((x * 3 + y * 2 + i * 12) % 220),
      cb: (x) => 128 + 60 * Math.sin((x + i) / 4),
      cr: (_x, y) => 128 + 60 * Math.cos((y + i) / 4),
    }),
  );
  // Each sample is its NAL units with 4-byte length prefixes (avcC lengthSizeMinusOne = 3).
  const payloads = samples.map((picture) => Uint8Array.from([...u32(picture.length), ...picture]));

  const avcC = box('avcC', [1, H264_PROFILE_BASELINE, H264_CONSTRAINTS, H264_LEVEL, 0xff, 0xe1, ...u16(sps.length), ...sps, 1, ...u16(pps.length), ...pps]);
  const compressor = [8, ...ascii('compose'), ...zeros(32 - 8)];
  const avc1 = box(
    'avc1',
    [...zeros(6), ...u16(1), ...u16(0), ...u16(0), ...zeros(12), ...u16(width), ...u16(height), ...u32(0x00480000), ...u32(0x00480000), ...u32(0), ...u16(1), ...compressor, ...u16(0x0018), ...u16(0xffff)],
    avcC,
  );

  const stbl = (chunkOffset: number): Uint8Array =>
    box(
      'stbl',
      fullBox('stsd', 0, 0, u32(1), avc1),
      fullBox('stts', 0, 0, [...u32(1), ...u32(frames), ...u32(delta)]),
      fullBox('stsc', 0, 0, [...u32(1), ...u32(1), ...u32(frames), ...u32(1)]),
      fullBox('stsz', 0, 0, [...u32(0), ...u32(frames), ...payloads.flatMap((p) => u32(p.length))]),
      fullBox('stco', 0, 0, [...u32(1), ...u32(chunkOffset)]),
    );

  const moov = (chunkOffset: number): Uint8Array =>
    box(
      'moov',
      fullBox('mvhd', 0, 0, [...u32(0), ...u32(0), ...u32(timescale), ...u32(duration), ...u32(0x00010000), ...u16(0x0100), ...zeros(10), ...MATRIX, ...zeros(24), ...u32(2)]),
      box(
        'trak',
        fullBox('tkhd', 0, 3, [...u32(0), ...u32(0), ...u32(1), ...u32(0), ...u32(duration), ...zeros(8), ...u16(0), ...u16(0), ...u16(0), ...u16(0), ...MATRIX, ...u32(width << 16), ...u32(height << 16)]),
        box(
          'mdia',
          fullBox('mdhd', 0, 0, [...u32(0), ...u32(0), ...u32(timescale), ...u32(duration), ...u16(0x55c4), ...u16(0)]),
          fullBox('hdlr', 0, 0, [...u32(0), ...ascii('vide'), ...zeros(12), ...ascii('VideoHandler'), 0]),
          box(
            'minf',
            fullBox('vmhd', 0, 1, [...u16(0), ...zeros(6)]),
            box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
            stbl(chunkOffset),
          ),
        ),
      ),
    );

  const ftyp = box('ftyp', [...ascii('isom'), ...u32(0x200), ...ascii('isom'), ...ascii('iso2'), ...ascii('avc1'), ...ascii('mp41')]);
  const mdatSize = 8 + payloads.reduce((sum, p) => sum + p.length, 0);
  // The moov's size does not depend on the offset's value, so measure it once and write it with the real offset.
  const offset = ftyp.length + moov(0).length + 8;
  const parts = [ftyp, moov(offset), Uint8Array.from([...u32(mdatSize), ...ascii('mdat')]), ...payloads];
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};
