import { InvalidRequestError } from '../../../layers/core/errors.ts';
import type { CanonicalMessage, ContentPart, ToolCall } from '../../../layers/providers/types.ts';
import { audioPart, filePart, imagePart } from './content.ts';

type Json = Record<string, unknown>;

const invalid = (index: number, message: string): never => {
  throw new InvalidRequestError('invalid_messages', `messages[${index}]: ${message}`, { param: `messages.${index}` });
};

const textOf = (content: unknown, index: number): string => {
  if (typeof content === 'string') return content;
  if (content == null) return '';
  if (!Array.isArray(content)) return invalid(index, 'content must be a string or an array of parts.');
  return content
    .map((p: Json) => (p?.type === 'text' && typeof p.text === 'string' ? p.text : invalid(index, 'only text parts are allowed here.')))
    .join('');
};

const userPart = (part: Json, index: number): ContentPart => {
  switch (part?.type) {
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : invalid(index, 'a text part needs text.');
    case 'image_url': {
      const image = part.image_url as Json | string | undefined;
      const url = typeof image === 'string' ? image : (image?.url as string);
      return imagePart(url, typeof image === 'object' ? (image?.detail as string) : undefined, `messages.${index}.content`);
    }
    case 'input_audio': {
      const audio = part.input_audio as Json | undefined;
      return audioPart(String(audio?.data ?? ''), String(audio?.format ?? ''), `messages.${index}.content`);
    }
    case 'file': {
      const file = (part.file ?? {}) as Json;
      return filePart({ data: file.file_data as string | undefined, url: file.file_url as string | undefined, filename: file.filename as string | undefined }, `messages.${index}.content`);
    }
    default:
      return invalid(index, `unsupported content part type '${String(part?.type)}'.`);
  }
};

const toolCallsOf = (value: unknown, index: number): ToolCall[] | undefined => {
  if (value == null) return undefined;
  if (!Array.isArray(value)) return invalid(index, 'tool_calls must be an array.');
  return value.map((c: Json) => {
    const fn = c?.function as Json | undefined;
    if (typeof c?.id !== 'string' || typeof fn?.name !== 'string') return invalid(index, 'each tool call needs an id and a function name.');
    return { id: c.id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) };
  });
};

/** Chat Completions `messages` → canonical messages, with one clear error for the first bad message. */
export const fromChatMessages = (messages: unknown): CanonicalMessage[] => {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new InvalidRequestError('invalid_messages', "'messages' must be a non-empty array.", { param: 'messages' });
  }
  return messages.map((m: Json, index): CanonicalMessage => {
    if (!m || typeof m !== 'object') return invalid(index, 'each message must be an object.');
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: m.role, content: textOf(m.content, index) };
      case 'user':
        if (typeof m.content === 'string') return { role: 'user', content: [{ type: 'text', text: m.content }] };
        if (!Array.isArray(m.content)) return invalid(index, 'user content must be a string or an array of parts.');
        return { role: 'user', content: m.content.map((p: Json) => userPart(p, index)) };
      case 'assistant': {
        const toolCalls = toolCallsOf(m.tool_calls, index);
        const reasoning = typeof m.reasoning_content === 'string' ? m.reasoning_content : undefined;
        return { role: 'assistant', content: m.content == null ? null : textOf(m.content, index), ...(toolCalls ? { toolCalls } : {}), ...(reasoning ? { reasoning } : {}) };
      }
      case 'tool':
        if (typeof m.tool_call_id !== 'string') return invalid(index, 'a tool message needs tool_call_id.');
        return { role: 'tool', toolCallId: m.tool_call_id, content: textOf(m.content, index) };
      default:
        return invalid(index, "role must be one of system, developer, user, assistant, tool.");
    }
  });
};

/** Attachments ride on the last user message (or a new one), since that is the turn they belong to. */
export const withAttachments = (messages: CanonicalMessage[], parts: ContentPart[]): CanonicalMessage[] => {
  if (parts.length === 0) return messages;
  const last = messages.findLastIndex((m) => m.role === 'user');
  if (last === -1) return [...messages, { role: 'user', content: parts }];
  const copy = [...messages];
  const user = copy[last] as Extract<CanonicalMessage, { role: 'user' }>;
  copy[last] = { role: 'user', content: [...user.content, ...parts] };
  return copy;
};
