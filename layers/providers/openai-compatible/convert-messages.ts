/**
 * Canonical messages → Chat Completions `messages`. Content a provider cannot take is refused with a 400
 * rather than dropped: silently losing part of a user's prompt would produce a confident wrong answer.
 */
import { InvalidRequestError } from '../../core/errors.ts';
import type { CanonicalMessage, ContentPart } from '../types.ts';
import type { ChatContentPart, ChatMessage } from './chat-request-schema.ts';

export interface MessageCapabilities {
  readonly provider: string;
  readonly developerRole: boolean;
  readonly audioInput: boolean;
  readonly fileInput: boolean;
}

type FilePart = Extract<ContentPart, { type: 'file' }>;

const AUDIO_FORMATS: Readonly<Record<string, 'wav' | 'mp3'>> = {
  'audio/wav': 'wav',
  'audio/wave': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
};

const dataUrl = (mediaType: string, base64: string): string => `data:${mediaType};base64,${base64}`;

/** The base64 payload of a part, from `data` or a base64 data URL. */
const base64Of = (part: { readonly url?: string; readonly data?: string }): string | undefined => {
  if (part.data !== undefined) return part.data;
  const match = part.url?.match(/^data:[^;,]*;base64,(.*)$/s);
  return match?.[1];
};

const unsupported = (message: string): InvalidRequestError => new InvalidRequestError('unsupported_content', message, { param: 'messages' });

const convertFile = (part: FilePart, caps: MessageCapabilities): ChatContentPart => {
  if (part.mediaType.startsWith('image/')) return convertPart({ type: 'image', url: part.url, data: part.data, mediaType: part.mediaType }, caps);
  const base64 = base64Of(part);
  // Text files are just text: every provider can read them, whatever its file support.
  if (part.mediaType.startsWith('text/') && base64 !== undefined) return { type: 'text', text: Buffer.from(base64, 'base64').toString('utf8') };
  if (!caps.fileInput) throw unsupported(`${caps.provider} does not accept ${part.mediaType} files.`);
  if (base64 === undefined) throw unsupported('File URLs cannot be sent to chat models; attach the file data instead.');
  return { type: 'file', file: { filename: part.filename ?? 'file', file_data: dataUrl(part.mediaType, base64) } };
};

const convertPart = (part: ContentPart, caps: MessageCapabilities): ChatContentPart => {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'image': {
      const url = part.data !== undefined ? dataUrl(part.mediaType ?? 'image/jpeg', part.data) : part.url;
      if (url === undefined) throw unsupported('An image part needs a URL or data.');
      return { type: 'image_url', image_url: { url, ...(part.detail ? { detail: part.detail } : {}) } };
    }
    case 'audio': {
      if (!caps.audioInput) throw unsupported(`${caps.provider} does not accept audio input.`);
      const format = AUDIO_FORMATS[part.mediaType];
      if (format === undefined) throw unsupported(`Audio must be wav or mp3, not ${part.mediaType}.`);
      return { type: 'input_audio', input_audio: { data: part.data, format } };
    }
    case 'file':
      return convertFile(part, caps);
  }
};

const convertUserContent = (content: readonly ContentPart[], caps: MessageCapabilities): string | ChatContentPart[] => {
  const parts = content.map((part) => convertPart(part, caps));
  // A lone text part goes as a plain string: the one shape every provider and every model accepts.
  const [only] = parts;
  return parts.length === 1 && only?.type === 'text' ? only.text : parts;
};

const convertMessage = (message: CanonicalMessage, caps: MessageCapabilities): ChatMessage => {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'developer':
      return { role: caps.developerRole ? 'developer' : 'system', content: message.content };
    case 'user':
      return { role: 'user', content: convertUserContent(message.content, caps) };
    case 'assistant': {
      // Earlier reasoning is not sent back: Chat Completions has no input field for it.
      const toolCalls = message.toolCalls ?? [];
      if (toolCalls.length === 0) return { role: 'assistant', content: message.content ?? '' };
      return {
        role: 'assistant',
        content: message.content,
        tool_calls: toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
};

export const convertMessages = (messages: readonly CanonicalMessage[], caps: MessageCapabilities): ChatMessage[] =>
  messages.map((message) => convertMessage(message, caps));
