/** `messages` validation with OpenAI's wording: roles, content parts, and tool-call/tool-result pairing. */
import { invalidRequest, type SimError } from './sim-error.ts';
import { isObject, type SimMessage } from './sim-request.ts';

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const PART_TYPES = ['text', 'image_url', 'input_audio', 'refusal', 'audio', 'file'];

const typeName = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);
const missing = (param: string): SimError => invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
const invalidValue = (param: string, value: unknown, supported: readonly string[]): SimError =>
  invalidRequest(`Invalid value: '${String(value)}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`, param, 'invalid_value');

const validatePart = (part: unknown, param: string): SimError | undefined => {
  if (!isObject(part)) return invalidRequest(`Invalid type for '${param}': expected an object, but got ${typeName(part)} instead.`, param, 'invalid_type');
  const type = part['type'];
  if (typeof type !== 'string' || !PART_TYPES.includes(type)) return invalidValue(`${param}.type`, type, PART_TYPES);
  if (type === 'text' && typeof part['text'] !== 'string') return missing(`${param}.text`);
  if (type === 'image_url' && !(isObject(part['image_url']) && typeof part['image_url']['url'] === 'string')) return missing(`${param}.image_url.url`);
  if (type === 'input_audio') {
    const audio = part['input_audio'];
    if (!isObject(audio) || typeof audio['data'] !== 'string') return missing(`${param}.input_audio.data`);
    if (audio['format'] !== 'wav' && audio['format'] !== 'mp3') return invalidValue(`${param}.input_audio.format`, audio['format'], ['wav', 'mp3']);
  }
  if (type === 'file') {
    const file = part['file'];
    if (!isObject(file) || (typeof file['file_data'] !== 'string' && typeof file['file_id'] !== 'string')) {
      return invalidRequest(`Invalid '${param}.file': one of 'file_data' or 'file_id' must be provided.`, `${param}.file`, 'invalid_value');
    }
  }
  return undefined;
};

const validateMessage = (message: unknown, index: number): SimError | undefined => {
  const param = `messages[${index}]`;
  if (!isObject(message)) return invalidRequest(`Invalid type for '${param}': expected an object, but got ${typeName(message)} instead.`, param, 'invalid_type');
  const role = message['role'];
  if (role === undefined) return missing(`${param}.role`);
  if (typeof role !== 'string' || !ROLES.includes(role)) return invalidValue(`${param}.role`, role, ROLES);
  const content = message['content'];
  const hasToolCalls = Array.isArray(message['tool_calls']) && message['tool_calls'].length > 0;
  if (content === undefined || (content === null && !(role === 'assistant' && hasToolCalls))) return missing(`${param}.content`);
  if (Array.isArray(content)) {
    if (content.length === 0 && role !== 'assistant') return invalidRequest(`Invalid '${param}.content': empty array. Expected an array with minimum length 1, but got an empty array instead.`, `${param}.content`, 'empty_array');
    for (const [partIndex, part] of content.entries()) {
      const error = validatePart(part, `${param}.content[${partIndex}]`);
      if (error) return error;
    }
  } else if (content !== null && typeof content !== 'string') {
    return invalidRequest(`Invalid type for '${param}.content': expected one of a string or array of objects, but got ${typeName(content)} instead.`, `${param}.content`, 'invalid_type');
  }
  if (role === 'tool' && typeof message['tool_call_id'] !== 'string') return missing(`${param}.tool_call_id`);
  if (hasToolCalls) {
    for (const [callIndex, call] of (message['tool_calls'] as unknown[]).entries()) {
      const callParam = `${param}.tool_calls[${callIndex}]`;
      if (!isObject(call) || typeof call['id'] !== 'string') return missing(`${callParam}.id`);
      const fn = call['function'];
      if (!isObject(fn) || typeof fn['name'] !== 'string') return missing(`${callParam}.function.name`);
      if (typeof fn['arguments'] !== 'string') return missing(`${callParam}.function.arguments`);
    }
  }
  return undefined;
};

/** Every tool message answers a preceding assistant tool call, and every tool call is answered. */
const validatePairing = (messages: readonly SimMessage[]): SimError | undefined => {
  let open: { readonly index: number; readonly ids: Set<string> } | undefined;
  for (const [index, message] of messages.entries()) {
    if (message.role === 'tool') {
      if (open === undefined || !open.ids.has(message.tool_call_id ?? '')) {
        return invalidRequest("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${index}].role`);
      }
      open.ids.delete(message.tool_call_id ?? '');
      continue;
    }
    if (open !== undefined && open.ids.size > 0) {
      return invalidRequest(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open.ids].join(', ')}`,
        `messages.[${open.index}].role`,
      );
    }
    open = message.role === 'assistant' && message.tool_calls?.length ? { index, ids: new Set(message.tool_calls.map((call) => call.id)) } : undefined;
  }
  if (open !== undefined && open.ids.size > 0) {
    return invalidRequest(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...open.ids].join(', ')}`,
      `messages.[${open.index}].role`,
    );
  }
  return undefined;
};

export const validateMessages = (value: unknown): SimError | SimMessage[] => {
  if (value === undefined) return missing('messages');
  if (!Array.isArray(value)) return invalidRequest(`Invalid type for 'messages': expected an array of objects, but got ${typeName(value)} instead.`, 'messages', 'invalid_type');
  if (value.length === 0) return invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  for (const [index, message] of value.entries()) {
    const error = validateMessage(message, index);
    if (error) return error;
  }
  const messages = value as SimMessage[];
  return validatePairing(messages) ?? messages;
};
