/**
 * A small, valid MP4 made locally: `ftyp`, `moov` (one H.264 video track, sample tables) and `mdat`, in the
 * fast-start order players stream, lasting the requested duration at a thumbnail size with the requested aspect
 * ratio. The pictures are committed fixtures (`fixtures/<w>x<h>.h264`, one second of IDR pictures written by
 * `npm run fixtures:video`), repeated for as long as the job asks: only the container varies per request.
 */
import { readFileSync } from 'node:fs';

export interface PictureSize {
  readonly width: number;
  readonly height: number;
}

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

interface Pictures {
  readonly sps: Uint8Array;
  readonly pps: Uint8Array;
  readonly idr: readonly Uint8Array[];
}

const loaded = new Map<string, Pictures>();

/** An Annex B stream split at its 4-byte start codes (emulation prevention keeps them out of the NAL units). */
const nalUnits = (stream: Uint8Array): Uint8Array[] => {
  const starts: number[] = [];
  for (let i = 0; i + 3 < stream.length; i += 1) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 0 && stream[i + 3] === 1) starts.push(i + 4);
  }
  return starts.map((start, n) => stream.subarray(start, n + 1 < starts.length ? starts[n + 1]! - 4 : stream.length));
};

const picturesOf = ({ width, height }: PictureSize): Pictures => {
  const name = `${width}x${height}`;
  const cached = loaded.get(name);
  if (cached) return cached;
  const [sps, pps, ...idr] = nalUnits(readFileSync(new URL(`./fixtures/${name}.h264`, import.meta.url)));
  if (!sps || !pps || idr.length === 0) throw new Error(`fixtures/${name}.h264 holds no SPS, PPS and pictures: run npm run fixtures:video`);
  const pictures = { sps, pps, idr };
  loaded.set(name, pictures);
  return pictures;
};

export const makeMp4 = ({ width, height, seconds, fps = 4 }: Mp4Options): Uint8Array => {
  const { sps, pps, idr } = picturesOf({ width, height });
  const frames = Math.max(1, Math.round(seconds * fps));
  const timescale = 1000;
  const delta = Math.round(timescale / fps);
  const duration = frames * delta;

  // Each sample is one picture with a 4-byte length prefix (avcC lengthSizeMinusOne = 3).
  const payloads = Array.from({ length: frames }, (_, i) => {
    const picture = idr[i % idr.length]!;
    return Uint8Array.from([...u32(picture.length), ...picture]);
  });

  // Profile, constraint flags and level are the SPS's own bytes 1-3, as avcC requires.
  const avcC = box('avcC', [1, sps[1]!, sps[2]!, sps[3]!, 0xff, 0xe1, ...u16(sps.length), ...sps, 1, ...u16(pps.length), ...pps]);
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
