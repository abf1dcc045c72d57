import { InvalidRequestError } from '../../../layers/core/errors.ts';
import type { CanonicalMessage, ContentPart } from '../../../layers/providers/types.ts';
import { audioPart, filePart, imagePart } from './content.ts';

type Json = Record<string, unknown>;

const invalid = (index: number, message: string): never => {
  throw new InvalidRequestError('invalid_input', `input[${index}]: ${message}`, { param: `input.${index}` });
};

const inputPart = (part: Json, index: number): ContentPart => {
  switch (part?.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return typeof part.text === 'string' ? { type: 'text', text: part.text } : invalid(index, 'a text part needs text.');
    case 'input_image':
      return imagePart(String(part.image_url ?? part.url ?? ''), part.detail as string | undefined, `input.${index}.content`);
    case 'input_audio': {
      const audio = (part.input_audio ?? part) as Json;
      return audioPart(String(audio.data ?? ''), String(audio.format ?? ''), `input.${index}.content`);
    }
    case 'input_file':
      return filePart({ data: part.file_data as string | undefined, url: part.file_url as string | undefined, filename: part.filename as string | undefined }, `input.${index}.content`);
    default:
      return invalid(index, `unsupported content part type '${String(part?.type)}'.`);
  }
};

const partsOf = (content: unknown, index: number): ContentPart[] => {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return invalid(index, 'content must be a string or an array of parts.');
  return content.map((p: Json) => inputPart(p, index));
};

const textOnly = (parts: ContentPart[], index: number): string =>
  parts.map((p) => (p.type === 'text' ? p.text : invalid(index, 'only text is allowed in this role.'))).join('');

/** Normalizes `input` to a list of items: a string is one user message, as in OpenAI's API. */
export const inputItemsOf = (input: unknown): Json[] => {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) throw new InvalidRequestError('invalid_input', "'input' must be a string or an array of items.", { param: 'input' });
  return input.map((item: Json, index) => {
    if (!item || typeof item !== 'object') return invalid(index, 'each item must be an object.');
    if (item.type === undefined && typeof item.role === 'string') return { type: 'message', ...item };
    return item;
  });
};

/**
 * Responses input items → canonical messages. Consecutive function calls fold into one assistant turn, so that
 * providers that need calls and results paired (Gemini, the chat wire) get them in order.
 */
export const fromInputItems = (items: readonly Json[]): CanonicalMessage[] => {
  const messages: CanonicalMessage[] = [];
  // biome-ignore lint/suspicious/useIterableCallbackReturn: `return invalid(…)` throws (it returns never); it only ends the case.
  items.forEach((item, index) => {
    switch (item.type) {
      case 'message': {
        const parts = partsOf(item.content, index);
        switch (item.role) {
          case 'user':
            messages.push({ role: 'user', content: parts });
            return;
          case 'system':
          case 'developer':
            messages.push({ role: item.role, content: textOnly(parts, index) });
            return;
          case 'assistant':
            messages.push({ role: 'assistant', content: textOnly(parts, index) });
            return;
          default:
            return invalid(index, 'role must be one of user, assistant, system, developer.');
        }
      }
      case 'function_call': {
        if (typeof item.call_id !== 'string' || typeof item.name !== 'string') return invalid(index, 'a function_call needs call_id and name.');
        const call = { id: item.call_id, name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '{}' };
        const last = messages.at(-1);
        if (last?.role === 'assistant' && last.toolCalls) messages[messages.length - 1] = { ...last, toolCalls: [...last.toolCalls, call] };
        else if (last?.role === 'assistant' && !last.toolCalls) messages[messages.length - 1] = { ...last, toolCalls: [call] };
        else messages.push({ role: 'assistant', content: null, toolCalls: [call] });
        return;
      }
      case 'function_call_output':
        if (typeof item.call_id !== 'string') return invalid(index, 'a function_call_output needs call_id.');
        messages.push({ role: 'tool', toolCallId: item.call_id, content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output ?? '') });
        return;
      case 'reasoning':
        return;
      default:
        return invalid(index, `unsupported item type '${String(item.type)}'.`);
    }
  });
  return messages;
};
