/**
 * What an upload really is, read from its first bytes. Clients send any filename and content type, and
 * providers reject by content, so the gateway decides by magic numbers and refuses early with a clear error.
 */

export type MediaKind = 'image' | 'audio' | 'video';

export interface SniffedMedia {
  readonly mediaType: string;
  /** The extension providers that check filenames expect (OpenAI transcriptions do). */
  readonly extension: string;
  readonly kind: MediaKind;
}

const ascii = (bytes: Uint8Array, offset: number, text: string): boolean => {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i += 1) if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  return true;
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const media = (mediaType: string, extension: string, kind: MediaKind): SniffedMedia => ({ mediaType, extension, kind });

/** MPEG audio frame sync (11 set bits); layer bits 00 mean ADTS AAC rather than MP1/2/3. */
const mpegAudio = (bytes: Uint8Array, offset: number): SniffedMedia | undefined => {
  if (bytes.length < offset + 2 || bytes[offset] !== 0xff || (bytes[offset + 1]! & 0xe0) !== 0xe0) return undefined;
  return (bytes[offset + 1]! & 0x06) === 0 ? media('audio/aac', 'aac', 'audio') : media('audio/mpeg', 'mp3', 'audio');
};

/** ISO BMFF (`ftyp` box): M4A audio or MP4 video, told apart by the major brand. */
const isoMedia = (bytes: Uint8Array): SniffedMedia | undefined => {
  if (!ascii(bytes, 4, 'ftyp')) return undefined;
  return ascii(bytes, 8, 'M4A ') || ascii(bytes, 8, 'M4B ') ? media('audio/mp4', 'm4a', 'audio') : media('video/mp4', 'mp4', 'video');
};

export const sniffMedia = (bytes: Uint8Array): SniffedMedia | undefined => {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return media('image/png', 'png', 'image');
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return media('image/jpeg', 'jpg', 'image');
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return media('image/gif', 'gif', 'image');
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return media('image/webp', 'webp', 'image');
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WAVE')) return media('audio/wav', 'wav', 'audio');
  if (ascii(bytes, 0, 'fLaC')) return media('audio/flac', 'flac', 'audio');
  if (ascii(bytes, 0, 'OggS')) return media('audio/ogg', 'ogg', 'audio');
  if (ascii(bytes, 0, 'ID3')) return media('audio/mpeg', 'mp3', 'audio');
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return media('video/webm', 'webm', 'video');
  return isoMedia(bytes) ?? mpegAudio(bytes, 0);
};
