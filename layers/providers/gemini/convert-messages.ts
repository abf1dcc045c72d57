/**
 * Canonical messages → `systemInstruction` + multi-turn `contents`. System and developer messages become the
 * system instruction; assistant tool calls become `functionCall` parts and tool results `functionResponse`
 * parts named after the call they answer. Consecutive turns of one role merge, because Vertex requires
 * user and model turns to alternate and a turn's function responses must travel together.
 */
import { InvalidRequestError } from '../../core/errors.ts';
import type { CanonicalMessage } from '../types.ts';
import { convertUserParts } from './convert-user-parts.ts';
import { thoughtSignatureOf, UNKNOWN_THOUGHT_SIGNATURE } from './tool-call-id.ts';
import type { GeminiContent, GeminiPart, GeminiRole, GenerateContentRequest } from './wire.ts';

export interface MessagesConversion {
  readonly systemInstruction: GenerateContentRequest['systemInstruction'];
  readonly contents: GeminiContent[];
  readonly warnings: string[];
}

const parseArguments = (json: string, warnings: string[]): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(json === '' ? '{}' : json);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  warnings.push('A tool call whose arguments were not a JSON object was sent to Gemini with empty arguments.');
  return {};
};

/** Gemini wants an object; its docs name `output` as the key for any other function result. */
const toFunctionResponse = (content: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(content);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return { output: value };
  } catch {
    return { output: content };
  }
};

const assistantParts = (message: Extract<CanonicalMessage, { role: 'assistant' }>, warnings: string[]): GeminiPart[] => {
  const parts: GeminiPart[] = [];
  // A thinking model signs its text too; the signature goes back on that text so the model keeps its reasoning.
  if (message.content) parts.push(message.thoughtSignature ? { text: message.content, thoughtSignature: message.thoughtSignature } : { text: message.content });
  (message.toolCalls ?? []).forEach((call, index) => {
    // Only the first call of a turn carries a signature; unknown ones get Google's documented skip value.
    const signature = thoughtSignatureOf(call.id) ?? (index === 0 ? UNKNOWN_THOUGHT_SIGNATURE : undefined);
    const functionCall = { name: call.name, args: parseArguments(call.arguments, warnings) };
    parts.push(signature ? { functionCall, thoughtSignature: signature } : { functionCall });
  });
  return parts;
};

export const convertMessages = (messages: readonly CanonicalMessage[]): MessagesConversion => {
  const system: { text: string }[] = [];
  const contents: GeminiContent[] = [];
  const warnings: string[] = [];
  const toolNames = new Map<string, string>();

  const append = (role: GeminiRole, parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (message.content !== '') system.push({ text: message.content });
        break;
      case 'user': {
        const converted = convertUserParts(message.content);
        warnings.push(...converted.warnings);
        append('user', converted.parts);
        break;
      }
      case 'assistant':
        for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
        append('model', assistantParts(message, warnings));
        break;
      case 'tool': {
        const name = toolNames.get(message.toolCallId);
        if (name === undefined) {
          throw new InvalidRequestError('invalid_tool_call_id', `Tool result ${index} answers a tool call id that no earlier assistant message made.`, {
            param: `messages[${index}].tool_call_id`,
          });
        }
        append('user', [{ functionResponse: { name, response: toFunctionResponse(message.content) } }]);
        break;
      }
    }
  });

  if (contents.length === 0) {
    throw new InvalidRequestError('missing_user_message', 'Gemini needs at least one user, assistant or tool message besides the system prompt.', { param: 'messages' });
  }
  return { systemInstruction: system.length > 0 ? { parts: system } : undefined, contents, warnings };
};
