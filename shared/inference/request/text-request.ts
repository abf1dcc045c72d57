// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import type { CanonicalRequest, ContentPart } from '../../../layers/providers/types.ts';
import { readAttachments } from './content.ts';
import { fromChatMessages, withAttachments } from './chat-messages.ts';
import { isResponseId } from '../../http/path-ids.ts';
import {
  checkFieldTypes,
  optional,
  positiveInt,
  readChatResponseFormat,
  readIncludeUsage,
  readMetadata,
  readReasoning,
  readResponsesFormat,
  readStream,
  readToolChoice,
  readTools,
  requireModel,
  stopSchema,
  temperatureSchema,
  textFieldTypes,
  topPSchema,
} from '../../calls/fields.ts';
import { inputItemsOf } from './responses-input.ts';

/** What the gateway understood of a text request, for either API shape. */
export interface TextRequest {
  readonly api: 'chat' | 'responses';
  /** The public catalog model id. */
  readonly model: string;
  /** Optional provider choice when several serve the model (a Compose extension). */
  readonly provider?: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** The canonical request without the wire model, which comes from the catalog. */
  readonly canonical: Omit<CanonicalRequest, 'model'>;
  readonly store: boolean;
  readonly previousResponseId?: string;
  /** Responses only: this request's own input items, as stored for `input_items`. */
  readonly inputItems: readonly Record<string, unknown>[];
  readonly instructions?: string;
  readonly metadata?: Record<string, string>;
  /** Request fields a Responses object repeats back. */
  readonly echo: Record<string, unknown>;
}

/** Fields the gateway models; anything else is a provider-specific extra passed through where accepted. */
export const KNOWN = new Set([
  'model', 'messages', 'input', 'stream', 'stream_options', 'tools', 'tool_choice', 'response_format', 'text', 'parallel_tool_calls',
  'reasoning_effort', 'reasoning', 'max_tokens', 'max_completion_tokens', 'max_output_tokens', 'temperature', 'top_p', 'stop', 'seed',
  'user', 'metadata', 'store', 'instructions', 'previous_response_id', 'attachments', 'attachment', 'modalities', 'provider', 'n',
  'include', 'service_tier', 'prompt_cache_key', 'prompt_cache_retention', 'truncation', 'background', 'logprobs', 'top_logprobs',
  'size', 'quality', 'image_url', 'voice', 'language', 'speed', 'duration', 'aspect_ratio', 'resolution', 'safety_identifier',
]);

const extrasOf = (body: Record<string, unknown>): Record<string, unknown> | undefined => {
  const extra = Object.fromEntries(Object.entries(body).filter(([k]) => !KNOWN.has(k)));
  return Object.keys(extra).length ? extra : undefined;
};

// Built once: a zod schema costs far more to construct than to run, and these were built per request.
const nonEmptyString = z.string().min(1);
const anyString = z.string();
const anyBoolean = z.boolean();
const anyInt = z.number().int();

const readProvider = (body: Record<string, unknown>): string | undefined => optional(nonEmptyString, body, 'provider', 'invalid_provider');

const compact = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const common = (body: Record<string, unknown>, shape: 'chat' | 'responses') => {
  checkFieldTypes(body, textFieldTypes(shape));
  const tools = readTools(body.tools, shape);
  const n = optional(positiveInt, body, 'n');
  if (n !== undefined && n !== 1) throw new InvalidRequestError('unsupported_parameter', "Only 'n': 1 is supported for text generation.", { param: 'n' });
  return compact({
    tools,
    toolChoice: readToolChoice(body.tool_choice, tools),
    parallelToolCalls: optional(anyBoolean, body, 'parallel_tool_calls'),
    temperature: optional(temperatureSchema, body, 'temperature'),
    topP: optional(topPSchema, body, 'top_p'),
    stop: optional(stopSchema, body, 'stop'),
    seed: optional(anyInt, body, 'seed'),
    reasoning: readReasoning(body),
    user: optional(anyString, body, 'user'),
    extra: extrasOf(body),
  });
};

export const parseChatRequest = (body: Record<string, unknown>): TextRequest => {
  const model = requireModel(body);
  const stream = readStream(body);
  const messages = withAttachments(fromChatMessages(body.messages), readAttachments(body));
  const maxOutputTokens = optional(positiveInt, body, 'max_completion_tokens') ?? optional(positiveInt, body, 'max_tokens');
  const metadata = readMetadata(body);
  return compact({
    api: 'chat' as const,
    model,
    provider: readProvider(body),
    stream,
    includeUsage: readIncludeUsage(body),
    canonical: compact({ ...common(body, 'chat'), messages, responseFormat: readChatResponseFormat(body.response_format), maxOutputTokens }),
    store: false,
    inputItems: [],
    metadata,
    echo: {},
  });
};

export const parseResponsesRequest = (body: Record<string, unknown>): TextRequest => {
  const model = requireModel(body);
  const stream = readStream(body);
  const previousResponseId = optional(nonEmptyString, body, 'previous_response_id', 'invalid_previous_response_id');
  // Bounded before the store is asked: an id it cannot hold as a key would be a 500.
  if (previousResponseId !== undefined && !isResponseId(previousResponseId)) {
    throw new InvalidRequestError('invalid_previous_response_id', "Invalid 'previous_response_id': expected an ID that begins with 'resp_'.", { param: 'previous_response_id' });
  }
  if (body.input == null && !previousResponseId) {
    throw new InvalidRequestError('missing_input', "'input' is required unless 'previous_response_id' is given.", { param: 'input' });
  }
  const inputItems = body.input == null ? [] : inputItemsOf(body.input);
  const attachments = readAttachments(body);
  const instructions = optional(anyString, body, 'instructions');
  const textFormat = (body.text as { format?: unknown } | undefined)?.format;
  const responseFormat = readResponsesFormat(textFormat, 'text.format') ?? readChatResponseFormat(body.response_format);
  const maxOutputTokens = optional(positiveInt, body, 'max_output_tokens');
  const metadata = readMetadata(body);
  const store = optional(anyBoolean, body, 'store') ?? true;
  const shared = common(body, 'responses');
  return compact({
    api: 'responses' as const,
    model,
    provider: readProvider(body),
    stream,
    includeUsage: true,
    // Messages are completed later: history from previous_response_id and instructions go in front.
    canonical: compact({ ...shared, messages: [], responseFormat, maxOutputTokens }),
    store,
    previousResponseId,
    inputItems: attachments.length ? [...inputItems, { type: 'message', role: 'user', content: attachments.map(attachmentItemPart) }] : inputItems,
    instructions,
    metadata,
    echo: compact({
      instructions: instructions ?? null,
      metadata: metadata ?? {},
      max_output_tokens: maxOutputTokens ?? null,
      temperature: shared.temperature ?? null,
      top_p: shared.topP ?? null,
      parallel_tool_calls: shared.parallelToolCalls ?? true,
      tool_choice: body.tool_choice ?? 'auto',
      tools: body.tools ?? [],
      text: body.text ?? { format: { type: 'text' } },
      reasoning: body.reasoning ?? null,
      store,
      previous_response_id: previousResponseId ?? null,
    }),
  });
};

/** Attachments stored as input items take the Responses part shapes, so `input_items` shows what the model saw. */
const attachmentItemPart = (part: ContentPart): Record<string, unknown> => {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: part.url ?? `data:${part.mediaType};base64,${part.data}`, detail: part.detail ?? 'auto' };
    case 'audio':
      return { type: 'input_audio', input_audio: { data: part.data, format: part.mediaType.split('/')[1] } };
    case 'file':
      return { type: 'input_file', ...(part.url ? { file_url: part.url } : {}), ...(part.data ? { file_data: `data:${part.mediaType};base64,${part.data}` } : {}), ...(part.filename ? { filename: part.filename } : {}) };
  }
};
