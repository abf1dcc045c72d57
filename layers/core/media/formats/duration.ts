import type { StreamedBytes } from '../streamed.ts';
import { adtsSeconds, flacSeconds, mp4Seconds, oggSeconds } from './containers.ts';
import { estimateMp3Seconds } from './mp3.ts';
import { readWavInfo } from './wav.ts';

export interface AudioDuration {
  readonly seconds: number;
  /**
   * True only for WAV, whose length follows from its PCM data size. Other containers declare a length (or
   * imply one from a bit rate) that the bytes do not prove, so it is an estimate, never a billing bound.
   */
  readonly exact: boolean;
}

const fromBytes = (bytes: Uint8Array): AudioDuration | undefined => {
  const wav = readWavInfo(bytes);
  if (wav) return { seconds: wav.durationSeconds, exact: true };
  const declared = flacSeconds(bytes) ?? oggSeconds(bytes) ?? mp4Seconds(bytes) ?? adtsSeconds(bytes) ?? estimateMp3Seconds(bytes);
  return declared === undefined ? undefined : { seconds: declared, exact: false };
};

/**
 * A file too large to hold is known by its first bytes and its size: WAV and FLAC declare their length up
 * front, MP3 implies it from the first frame's bit rate. Ogg and MP4 keep theirs where the head does not reach.
 */
const fromHead = ({ head, byteLength }: StreamedBytes): AudioDuration | undefined => {
  const wav = readWavInfo(head, byteLength);
  if (wav) return { seconds: wav.durationSeconds, exact: true };
  const declared = flacSeconds(head) ?? estimateMp3Seconds(head, byteLength);
  return declared === undefined ? undefined : { seconds: declared, exact: false };
};

/** The audio's length where the bytes tell it; undefined for containers that need a real demuxer (WebM). */
export const audioDuration = (data: Uint8Array | StreamedBytes): AudioDuration | undefined => (data instanceof Uint8Array ? fromBytes(data) : fromHead(data));
