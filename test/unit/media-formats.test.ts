/**
 * The media formats the gateway reads and the simulators write: real files, checked structurally (PNG chunk
 * CRCs and scanlines, WAV headers) and by the durations their containers declare, which transcription
 * metering relies on.
 */
import { describe, expect, it } from 'vitest';
import { silentAac } from '../../infra/local/simulators/openai-media/encode/aac.ts';
import { silentFlac } from '../../infra/local/simulators/openai-media/encode/flac.ts';
import { MP3_FRAME, silentMp3 } from '../../infra/local/simulators/openai-media/encode/mp3.ts';
import { silentOggOpus } from '../../infra/local/simulators/openai-media/encode/ogg-opus.ts';
import { promptPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { tonePcm } from '../../infra/local/simulators/openai-media/encode/tone.ts';
import { mp4Seconds } from '../../layers/core/media/formats/containers.ts';
import { audioDuration } from '../../layers/core/media/formats/duration.ts';
import { readMp3Frame } from '../../layers/core/media/formats/mp3.ts';
import { readPngSize } from '../../layers/core/media/formats/png.ts';
import { sniffMedia } from '../../layers/core/media/formats/sniff.ts';
import { readWavInfo, wavFromPcm } from '../../layers/core/media/formats/wav.ts';
import { renderSrt, renderVtt } from '../../shared/media/transcription/subtitles.ts';
import { decodePng } from '../support/media-providers.ts';

const PCM16_MONO_24K = { sampleRate: 24_000, channels: 1, bitsPerSample: 16 } as const;

/** A minimal MP4: `ftyp`, then `moov` holding a version-0 `mvhd` with the given timescale and duration. */
const mp4 = (brand: string, timescale: number, duration: number): Buffer => {
  const box = (type: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(8 + body.length);
    head.write(type, 4, 'ascii');
    return Buffer.concat([head, body]);
  };
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(timescale, 12);
  mvhd.writeUInt32BE(duration, 16);
  return Buffer.concat([box('ftyp', Buffer.from(`${brand}\0\0\0\0isom`, 'latin1')), box('moov', box('mvhd', mvhd))]);
};

describe('sniffing uploads by their bytes', () => {
  it.each([
    ['PNG', promptPicture(8, 8, 1), 'image/png'],
    ['JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
    ['WEBP', Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), 'image/webp'],
    ['WAV', Buffer.from(wavFromPcm(tonePcm(0.1, 24_000), PCM16_MONO_24K)), 'audio/wav'],
    ['MP3', silentMp3(0.1), 'audio/mpeg'],
    ['FLAC', silentFlac(0.1), 'audio/flac'],
    ['Ogg Opus', silentOggOpus(0.1), 'audio/ogg'],
    ['ADTS AAC', silentAac(0.1), 'audio/aac'],
    ['M4A', mp4('M4A ', 1000, 1000), 'audio/mp4'],
    ['MP4', mp4('isom', 1000, 1000), 'video/mp4'],
    ['WebM', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01]), 'video/webm'],
  ])('%s is %s', (_, bytes, mediaType) => {
    expect(sniffMedia(bytes)?.mediaType).toBe(mediaType);
  });

  it('knows nothing of text, empty files or truncated signatures', () => {
    expect(sniffMedia(Buffer.from('hello, world'))).toBeUndefined();
    expect(sniffMedia(new Uint8Array(0))).toBeUndefined();
    expect(sniffMedia(Buffer.from([0x89, 0x50, 0x4e]))).toBeUndefined();
  });
});

describe('PNG', () => {
  it('encodes a decodable image whose header gives its size', () => {
    const png = promptPicture(96, 64, 0xabcdef);
    expect(decodePng(png)).toEqual({ width: 96, height: 64 });
    expect(readPngSize(png)).toEqual({ width: 96, height: 64 });
  });

  it('paints different prompts differently and the same prompt the same', () => {
    expect(promptPicture(16, 16, 1).equals(promptPicture(16, 16, 1))).toBe(true);
    expect(promptPicture(16, 16, 1).equals(promptPicture(16, 16, 2))).toBe(false);
  });
});

describe('WAV', () => {
  it('wraps PCM in a header that gives the exact duration', () => {
    const wav = wavFromPcm(tonePcm(2.5, 24_000), PCM16_MONO_24K);
    expect(wav.byteLength).toBe(44 + 2.5 * 24_000 * 2);
    expect(readWavInfo(wav)).toEqual({ ...PCM16_MONO_24K, dataBytes: 120_000, durationSeconds: 2.5 });
    expect(audioDuration(wav)).toEqual({ seconds: 2.5, exact: true });
  });

  it('skips chunks before the data and reads a streamed header (placeholder size) to the end of the file', () => {
    const pcm = tonePcm(1, 8_000);
    const wav = Buffer.from(wavFromPcm(pcm, { sampleRate: 8_000, channels: 1, bitsPerSample: 16 }));
    const list = Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO', 'latin1')]);
    const withList = Buffer.concat([wav.subarray(0, 36), list, wav.subarray(36)]);
    withList.writeUInt32LE(0xffffffff, 36 + list.length + 4);
    expect(readWavInfo(withList)?.durationSeconds).toBe(1);
  });

  it('refuses what is not RIFF/WAVE', () => {
    expect(readWavInfo(silentMp3(1))).toBeUndefined();
  });
});

describe('durations compressed containers declare', () => {
  it('MP3: frames of 1152 samples at the first frame bit rate', () => {
    const mp3 = silentMp3(3);
    expect(mp3.length % MP3_FRAME.bytes).toBe(0);
    expect(readMp3Frame(mp3)).toEqual({ bitrate: 64_000, sampleRate: 48_000, offset: 0 });
    const frames = mp3.length / MP3_FRAME.bytes;
    expect(audioDuration(mp3)).toEqual({ seconds: frames * MP3_FRAME.seconds, exact: false });
  });

  it('FLAC: total samples over the sample rate in STREAMINFO', () => {
    expect(audioDuration(silentFlac(2.5))).toEqual({ seconds: 2.5, exact: false });
  });

  it('Ogg Opus: the last granule position less the pre-skip, at 48 kHz', () => {
    expect(audioDuration(silentOggOpus(2.5))).toEqual({ seconds: 2.5, exact: false });
  });

  it('ADTS AAC: 1024 samples per frame', () => {
    const seconds = audioDuration(silentAac(2))!.seconds;
    expect(seconds).toBeCloseTo(Math.ceil((2 * 24_000) / 1024) * (1024 / 24_000), 9);
  });

  it('MP4 and M4A: the movie header duration over its timescale', () => {
    expect(mp4Seconds(mp4('M4A ', 44_100, 441_000))).toBe(10);
    expect(audioDuration(mp4('isom', 600, 900))).toEqual({ seconds: 1.5, exact: false });
  });

  it('unknown containers have no declared duration', () => {
    expect(audioDuration(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]))).toBeUndefined();
  });
});

describe('subtitles', () => {
  const segments = [
    { start: 0, end: 4.2, text: ' Hello there.' },
    { start: 4.2, end: 3725.5, text: ' A long time later.' },
  ];

  it('SubRip numbers cues and uses commas before milliseconds', () => {
    expect(renderSrt(segments)).toBe('1\n00:00:00,000 --> 00:00:04,200\nHello there.\n\n2\n00:00:04,200 --> 01:02:05,500\nA long time later.\n\n');
  });

  it('WebVTT starts with its signature and uses dots', () => {
    expect(renderVtt(segments)).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:04.200\nHello there.\n\n00:00:04.200 --> 01:02:05.500\nA long time later.\n\n');
  });
});
