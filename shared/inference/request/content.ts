import { InvalidRequestError } from '../../../layers/core/errors.ts';
import type { ContentPart } from '../../../layers/providers/types.ts';

const DATA_URL = /^data:([^;,]+)?(;base64)?,(.*)$/s;

/** A data URL becomes base64 plus its media type, so adapters see one shape whatever the client sent. */
export const parseDataUrl = (url: string): { mediaType: string; data: string } | undefined => {
  const m = DATA_URL.exec(url);
  if (!m) return undefined;
  const mediaType = m[1] ?? 'text/plain';
  const data = m[2] ? m[3]! : Buffer.from(decodeURIComponent(m[3]!), 'utf8').toString('base64');
  return { mediaType, data };
};

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|heic)(\?|#|$)/i;
const AUDIO_FORMATS: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', flac: 'audio/flac', ogg: 'audio/ogg', m4a: 'audio/mp4', webm: 'audio/webm' };

export const imagePart = (url: string, detail?: string, param = 'image_url'): ContentPart => {
  if (typeof url !== 'string' || url === '') throw new InvalidRequestError('invalid_content', `'${param}' needs an image URL or data URL.`, { param });
  const data = parseDataUrl(url);
  const d = detail === 'low' || detail === 'high' || detail === 'auto' ? detail : undefined;
  return data ? { type: 'image', data: data.data, mediaType: data.mediaType, ...(d ? { detail: d } : {}) } : { type: 'image', url, ...(d ? { detail: d } : {}) };
};

export const audioPart = (data: string, format: string, param = 'input_audio'): ContentPart => {
  const mediaType = AUDIO_FORMATS[format] ?? (format.includes('/') ? format : undefined);
  if (!data || !mediaType) throw new InvalidRequestError('invalid_content', `'${param}' needs base64 data and a known format.`, { param });
  return { type: 'audio', data, mediaType };
};

export const filePart = (source: { data?: string; url?: string; mediaType?: string; filename?: string }, param = 'file'): ContentPart => {
  const fromDataUrl = source.data ? parseDataUrl(source.data) : undefined;
  const data = fromDataUrl?.data ?? source.data;
  const mediaType = fromDataUrl?.mediaType ?? source.mediaType ?? guessMediaType(source.filename ?? source.url ?? '');
  if (!data && !source.url) throw new InvalidRequestError('invalid_content', `'${param}' needs file data or a URL.`, { param });
  return { type: 'file', mediaType, ...(data ? { data } : {}), ...(source.url ? { url: source.url } : {}), ...(source.filename ? { filename: source.filename } : {}) };
};

const guessMediaType = (name: string): string => {
  if (/\.pdf(\?|#|$)/i.test(name)) return 'application/pdf';
  if (/\.(txt|md)(\?|#|$)/i.test(name)) return 'text/plain';
  if (/\.json(\?|#|$)/i.test(name)) return 'application/json';
  if (/\.(mp4|mov|webm)(\?|#|$)/i.test(name)) return 'video/mp4';
  const image = IMAGE_EXT.exec(name);
  if (image) return `image/${image[1]!.toLowerCase().replace('jpg', 'jpeg')}`;
  return 'application/octet-stream';
};

/** The spec's `Attachment` (or a bare URL/data URL string) → one content part. */
export const attachmentPart = (attachment: unknown, param: string): ContentPart => {
  if (typeof attachment === 'string') {
    const data = parseDataUrl(attachment);
    if (data?.mediaType.startsWith('image/') || (!data && IMAGE_EXT.test(attachment))) return imagePart(attachment, undefined, param);
    return filePart(data ? { data: attachment } : { url: attachment }, param);
  }
  if (!attachment || typeof attachment !== 'object') throw new InvalidRequestError('invalid_attachment', `'${param}' must be an object or a URL string.`, { param });
  const a = attachment as Record<string, unknown>;
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  const url = str('url') ?? str('uri');
  const mediaType = str('mimeType') ?? str('contentType');
  const base64 = str('base64');
  const dataField = str('data');
  const filename = str('filename') ?? str('name');
  const type = str('type') ?? (mediaType?.split('/')[0] === 'image' ? 'image' : url ? 'url' : 'file');
  const inline = base64 ? `data:${mediaType ?? 'application/octet-stream'};base64,${base64}` : dataField?.startsWith('data:') ? dataField : undefined;

  switch (type) {
    case 'text':
    case 'json': {
      const text = str('text') ?? str('content') ?? dataField;
      if (text === undefined) throw new InvalidRequestError('invalid_attachment', `'${param}' of type ${type} needs text.`, { param });
      return { type: 'text', text: filename ? `${filename}:\n${text}` : text };
    }
    case 'image':
      return imagePart(inline ?? url ?? dataField ?? '', str('detail'), param);
    case 'audio': {
      const parsed = inline ? parseDataUrl(inline) : undefined;
      if (parsed) return { type: 'audio', data: parsed.data, mediaType: parsed.mediaType };
      return filePart({ url, mediaType: mediaType ?? 'audio/mpeg', filename }, param);
    }
    case 'url':
      if (!url) throw new InvalidRequestError('invalid_attachment', `'${param}' of type url needs a url.`, { param });
      return attachmentPart(url, param);
    case 'pdf':
    case 'video':
    case 'file':
      return filePart({ data: inline ?? dataField, url, mediaType: mediaType ?? (type === 'pdf' ? 'application/pdf' : undefined), filename }, param);
    default:
      throw new InvalidRequestError('invalid_attachment', `'${param}.type' must be one of image, audio, video, pdf, file, text, json, url.`, { param });
  }
};

export const readAttachments = (body: Record<string, unknown>): ContentPart[] => {
  const parts: ContentPart[] = [];
  if (body.attachment != null) parts.push(attachmentPart(body.attachment, 'attachment'));
  if (body.attachments != null) {
    if (!Array.isArray(body.attachments)) throw new InvalidRequestError('invalid_attachment', "'attachments' must be an array.", { param: 'attachments' });
    body.attachments.forEach((a, i) => {
      parts.push(attachmentPart(a, `attachments.${i}`));
    });
  }
  return parts;
};
