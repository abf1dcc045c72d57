/**
 * A user message's content parts → Gemini parts: bytes (base64 or a data URL) go inline as `inlineData`,
 * remote files go by reference as `fileData` (http(s) URLs, `gs://` objects, Files API URIs).
 */
import type { ContentPart } from '../types.ts';
import type { GeminiPart } from './wire.ts';

const EXTENSION_TYPES: Record<string, string> = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic', heif: 'image/heif',
  pdf: 'application/pdf', txt: 'text/plain', md: 'text/markdown', csv: 'text/csv', html: 'text/html', json: 'application/json',
  mp3: 'audio/mpeg', wav: 'audio/wav', ogg: 'audio/ogg', flac: 'audio/flac', aac: 'audio/aac', m4a: 'audio/mp4',
  mp4: 'video/mp4', mov: 'video/quicktime', webm: 'video/webm',
};

const DATA_URL = /^data:([^;,]+)?(?:;[^,]*)?;base64,(.*)$/s;

const mediaTypeFromUrl = (url: string): string | undefined => {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  return extension ? EXTENSION_TYPES[extension] : undefined;
};

/** `wav` (as Chat Completions' `input_audio.format` spells it) → `audio/wav`. */
const normalizeMediaType = (mediaType: string, family: string): string => (mediaType.includes('/') ? mediaType : `${family}/${mediaType}`);

const fromSource = (source: { url?: string; data?: string }, mediaType: string | undefined, fallback: string): GeminiPart | undefined => {
  if (source.data !== undefined) return { inlineData: { mimeType: mediaType ?? fallback, data: source.data } };
  if (source.url === undefined) return undefined;
  const dataUrl = DATA_URL.exec(source.url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl[1] ?? mediaType ?? fallback, data: dataUrl[2] ?? '' } };
  return { fileData: { fileUri: source.url, mimeType: mediaType ?? mediaTypeFromUrl(source.url) ?? fallback } };
};

export interface UserPartsConversion {
  readonly parts: GeminiPart[];
  readonly warnings: string[];
}

export const convertUserParts = (content: readonly ContentPart[]): UserPartsConversion => {
  const parts: GeminiPart[] = [];
  const warnings: string[] = [];
  for (const part of content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') parts.push({ text: part.text });
        break;
      case 'image': {
        if (part.detail && part.detail !== 'auto') warnings.push(`Image detail "${part.detail}" is not supported by Gemini and was ignored.`);
        const converted = fromSource(part, part.mediaType && normalizeMediaType(part.mediaType, 'image'), 'image/jpeg');
        if (converted) parts.push(converted);
        else warnings.push('An image part without a URL or data was ignored.');
        break;
      }
      case 'audio':
        parts.push({ inlineData: { mimeType: normalizeMediaType(part.mediaType, 'audio'), data: part.data } });
        break;
      case 'file': {
        const converted = fromSource(part, part.mediaType, 'application/octet-stream');
        if (converted) parts.push(converted);
        else warnings.push('A file part without a URL or data was ignored.');
        break;
      }
    }
  }
  return { parts, warnings };
};
