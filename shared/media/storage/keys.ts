/**
 * Object keys for media outputs: grouped by kind and day (so lifecycle rules and humans can find them), with a
 * random id so a key can never be guessed from another.
 */
import { randomUUID } from 'node:crypto';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/flac': 'flac',
  'audio/ogg': 'ogg',
  'audio/aac': 'aac',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
  'application/json': 'json',
};

export const extensionFor = (mediaType: string): string => EXTENSIONS[mediaType.split(';')[0]!.trim().toLowerCase()] ?? 'bin';

export const mediaKey = (kind: 'images' | 'audio' | 'video' | (string & {}), mediaType: string, now: Date = new Date()): string =>
  `media/${kind}/${now.toISOString().slice(0, 10)}/${randomUUID()}.${extensionFor(mediaType)}`;
