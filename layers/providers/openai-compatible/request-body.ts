/**
 * A canonical request → the Chat Completions body for one provider and model. Every setting that cannot be
 * sent becomes a warning (returned alongside the body, emitted as `warning` parts), never a silent drop.
 */
import type { CanonicalRequest, ResponseFormat } from '../types.ts';
import type { ChatResponseFormat } from './chat-request-schema.ts';
import { convertMessages } from './convert-messages.ts';
import { prepareTools } from './prepare-tools.ts';
import { DEFAULT_QUIRKS, type ModelQuirks, type OpenAICompatibleProfile } from './profile.ts';

export interface ChatBody {
  readonly body: Record<string, unknown>;
  readonly warnings: readonly string[];
}

/** Fields the adapter owns: an `extra` field by these names would change what the gateway meters or parses. */
const RESERVED_EXTRA = new Set(['model', 'messages', 'stream', 'stream_options', 'n']);

const responseFormat = (format: ResponseFormat, jsonSchema: boolean, warnings: string[]): ChatResponseFormat => {
  if (format.type !== 'json_schema') return format;
  if (!jsonSchema) {
    warnings.push('response_format json_schema is not supported by this provider; json_object was requested instead.');
    return { type: 'json_object' };
  }
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
      ...(format.description !== undefined ? { description: format.description } : {}),
    },
  };
};

/** Adds a field only when it has a value, so bodies carry nothing the client did not ask for. */
const put = (body: Record<string, unknown>, key: string, value: unknown): void => {
  if (value !== undefined) body[key] = value;
};

export const resolveQuirks = (profile: OpenAICompatibleProfile, model: string): ModelQuirks => ({ ...DEFAULT_QUIRKS, ...profile.quirks(model) });

export const buildChatBody = (request: CanonicalRequest, profile: OpenAICompatibleProfile, stream: boolean): ChatBody => {
  const quirks = resolveQuirks(profile, request.model);
  const warnings: string[] = [];
  const messages = convertMessages(request.messages, {
    provider: profile.provider,
    developerRole: quirks.developerRole,
    audioInput: profile.supports.audioInput,
    fileInput: profile.supports.fileInput,
  });
  const body: Record<string, unknown> = { model: request.model, messages };

  const tools = prepareTools(request.tools, request.toolChoice);
  warnings.push(...tools.warnings);
  put(body, 'tools', tools.tools);
  put(body, 'tool_choice', tools.toolChoice);
  if (tools.tools !== undefined) put(body, 'parallel_tool_calls', request.parallelToolCalls);
  if (request.responseFormat !== undefined) body['response_format'] = responseFormat(request.responseFormat, profile.supports.jsonSchema, warnings);
  put(body, quirks.maxTokensField, request.maxOutputTokens);
  put(body, 'temperature', request.temperature);
  put(body, 'top_p', request.topP);
  if (request.stop !== undefined && request.stop.length > 0) body['stop'] = [...request.stop];
  put(body, 'seed', request.seed);
  put(body, 'user', request.user);

  if (request.reasoning?.effort !== undefined && request.reasoningModel === false) {
    warnings.push(`reasoning_effort is not supported by ${request.model}, which is not a reasoning model, and was not sent.`);
  } else if (request.reasoning?.effort !== undefined) {
    const reasoning = profile.reasoningFields?.(request.reasoning, request.model) ?? { fields: { reasoning_effort: request.reasoning.effort }, warnings: [] };
    Object.assign(body, reasoning.fields);
    warnings.push(...reasoning.warnings);
  }
  if (request.reasoning?.summary !== undefined) {
    warnings.push('reasoning.summary is not supported by Chat Completions providers; reasoning text is returned only when the provider emits it.');
  }

  for (const [key, value] of Object.entries(request.extra ?? {})) {
    if (RESERVED_EXTRA.has(key)) warnings.push(`The provider field "${key}" is set by the gateway and was not passed through.`);
    else if (key in body) warnings.push(`The provider field "${key}" conflicts with a standard setting and was not passed through.`);
    else body[key] = value;
  }

  for (const field of quirks.unsupported) {
    if (!(field in body)) continue;
    delete body[field];
    warnings.push(`${field} is not supported by ${profile.provider} for ${request.model} and was not sent.`);
  }

  if (stream) {
    body['stream'] = true;
    // The gateway meters every stream, so usage is always requested and stripped later if the client did not ask.
    if (profile.supports.streamUsage) body['stream_options'] = { include_usage: true };
  }
  return { body, warnings };
};
