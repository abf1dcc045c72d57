// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import type { FunctionTool, ReasoningOptions, ResponseFormat, ToolChoice } from '../../layers/providers/types.ts';

/** Validates one field with its own error code, naming the field and the first problem in the message. */
export const field = <T>(schema: z.ZodType<T>, value: unknown, param: string, code: string): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${param}.${issue.path.join('.')}` : param;
  throw new InvalidRequestError(code, `Invalid '${where}': ${issue?.message ?? 'invalid value'}.`, { param });
};

export const requireModel = (body: Record<string, unknown>): string => {
  const model = body.model;
  if (model === undefined || model === null || model === '') throw new InvalidRequestError('missing_model', 'model is required', { param: 'model' });
  if (typeof model !== 'string') throw new InvalidRequestError('invalid_model', "'model' must be a string.", { param: 'model' });
  return model;
};

export const readStream = (body: Record<string, unknown>): boolean => {
  const stream = body.stream;
  if (stream === undefined || stream === null) return false;
  if (typeof stream !== 'boolean') throw new InvalidRequestError('invalid_stream', "'stream' must be a boolean.", { param: 'stream' });
  return stream;
};

const streamOptionsSchema = z.object({ include_usage: z.boolean().optional() }).passthrough();
export const readIncludeUsage = (body: Record<string, unknown>): boolean =>
  body.stream_options == null ? false : field(streamOptionsSchema, body.stream_options, 'stream_options', 'invalid_stream_options').include_usage === true;

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const parametersSchema = z.record(z.string(), z.unknown());

const chatToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(FUNCTION_NAME, 'function names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
    description: z.string().optional(),
    parameters: parametersSchema.optional(),
    strict: z.boolean().nullish(),
  }),
});

/** Responses tools are flat: `{type:'function', name, parameters}`. */
const responsesToolSchema = z.object({
  type: z.literal('function'),
  name: z.string().regex(FUNCTION_NAME, 'function names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
  description: z.string().nullish(),
  parameters: parametersSchema.nullish(),
  strict: z.boolean().nullish(),
});

const toFunctionTool = (t: { name: string; description?: string | null; parameters?: Record<string, unknown> | null; strict?: boolean | null }): FunctionTool => ({
  type: 'function',
  name: t.name,
  ...(t.description ? { description: t.description } : {}),
  parameters: t.parameters ?? { type: 'object', properties: {} },
  ...(t.strict != null ? { strict: t.strict } : {}),
});

export const readTools = (value: unknown, shape: 'chat' | 'responses'): FunctionTool[] | undefined => {
  if (value == null) return undefined;
  if (shape === 'chat') return field(z.array(chatToolSchema), value, 'tools', 'invalid_tools').map((t) => toFunctionTool(t.function));
  return field(z.array(responsesToolSchema), value, 'tools', 'invalid_tools').map(toFunctionTool);
};

const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
  z.object({ type: z.literal('function'), name: z.string() }),
]);

export const readToolChoice = (value: unknown, tools: readonly FunctionTool[] | undefined): ToolChoice | undefined => {
  if (value == null) return undefined;
  const choice = field(toolChoiceSchema, value, 'tool_choice', 'invalid_tool_choice');
  if (typeof choice === 'string') {
    if (choice === 'required' && !tools?.length) throw new InvalidRequestError('invalid_tool_choice', "tool_choice 'required' needs at least one tool.", { param: 'tool_choice' });
    return choice;
  }
  const name = 'function' in choice ? choice.function.name : choice.name;
  if (!tools?.some((t) => t.name === name)) {
    throw new InvalidRequestError('invalid_tool_choice', `tool_choice names '${name}', which is not among the tools.`, { param: 'tool_choice' });
  }
  return { type: 'function', name };
};

const jsonSchemaFormat = z.object({
  name: z.string().regex(FUNCTION_NAME, 'names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
  schema: parametersSchema,
  strict: z.boolean().nullish(),
  description: z.string().optional(),
});

const chatResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), json_schema: jsonSchemaFormat }),
]);

/** Responses puts the format in `text.format`, flat: `{type:'json_schema', name, schema}`. */
const responsesFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  jsonSchemaFormat.extend({ type: z.literal('json_schema') }),
]);

const toFormat = (f: { type: string; name?: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string }): ResponseFormat =>
  f.type === 'json_schema'
    ? { type: 'json_schema', name: f.name!, schema: f.schema!, ...(f.strict != null ? { strict: f.strict } : {}), ...(f.description ? { description: f.description } : {}) }
    : { type: f.type as 'text' | 'json_object' };

export const readChatResponseFormat = (value: unknown): ResponseFormat | undefined => {
  if (value == null) return undefined;
  const format = field(chatResponseFormatSchema, value, 'response_format', 'invalid_response_format');
  return format.type === 'json_schema' ? toFormat({ type: 'json_schema', ...format.json_schema }) : toFormat(format);
};

export const readResponsesFormat = (value: unknown, param: string): ResponseFormat | undefined =>
  value == null ? undefined : toFormat(field(responsesFormatSchema, value, param, 'invalid_response_format') as Parameters<typeof toFormat>[0]);

const reasoningSchema = z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).passthrough();

export const readReasoning = (body: Record<string, unknown>): ReasoningOptions | undefined => {
  const effort = body.reasoning_effort == null ? undefined : field(z.string(), body.reasoning_effort, 'reasoning_effort', 'invalid_reasoning');
  const reasoning = body.reasoning == null ? undefined : field(reasoningSchema, body.reasoning, 'reasoning', 'invalid_reasoning');
  const merged = { effort: effort ?? reasoning?.effort ?? undefined, summary: reasoning?.summary ?? undefined };
  return merged.effort || merged.summary ? (Object.fromEntries(Object.entries(merged).filter(([, v]) => v)) as ReasoningOptions) : undefined;
};

export const optional = <T>(schema: z.ZodType<T>, body: Record<string, unknown>, name: string, code = 'invalid_parameter'): T | undefined =>
  body[name] == null ? undefined : field(schema, body[name], name, code);

export const positiveInt = z.number().int().positive();
export const temperatureSchema = z.number().min(0).max(2);
export const topPSchema = z.number().min(0).max(1);
export const stopSchema = z.union([z.string(), z.array(z.string()).max(4)]).transform((s) => (typeof s === 'string' ? [s] : s));
/** OpenAI's rule for `metadata` on every route that takes it: at most 16 string pairs, keys ≤ 64, values ≤ 512 characters. */
export const METADATA_LIMITS = { pairs: 16, keyChars: 64, valueChars: 512 } as const;
export const metadataSchema = z
  .record(
    z.string().max(METADATA_LIMITS.keyChars, `keys are at most ${METADATA_LIMITS.keyChars} characters`),
    z.string({ error: 'values must be strings' }).max(METADATA_LIMITS.valueChars, `values are at most ${METADATA_LIMITS.valueChars} characters`),
  )
  .refine((m) => Object.keys(m).length <= METADATA_LIMITS.pairs, `at most ${METADATA_LIMITS.pairs} key-value pairs`);

/** `metadata`, when sent, by OpenAI's rule: 400 `invalid_metadata` otherwise. */
export const readMetadata = (body: Readonly<Record<string, unknown>>): Record<string, string> | undefined =>
  body.metadata == null ? undefined : field(metadataSchema, body.metadata, 'metadata', 'invalid_metadata');

const object = z.record(z.string(), z.unknown());
const penalty = z.number().min(-2).max(2);
const serviceTier = z.enum(['auto', 'default', 'flex', 'scale', 'priority']);

/**
 * OpenAI fields the gateway does not model but whose type OpenAI fixes: checked here so a wrong type is a 400
 * (`invalid_parameter`) rather than something a provider may silently ignore. Fields OpenAI does not define
 * are not listed: they pass through to the provider untouched (`customParams`).
 */
const SHARED_FIELD_TYPES: Readonly<Record<string, z.ZodType>> = {
  logprobs: z.boolean(),
  top_logprobs: z.number().int().min(0).max(20),
  service_tier: serviceTier,
  prompt_cache_key: z.string(),
  prompt_cache_retention: z.string(),
  safety_identifier: z.string(),
  // Media fields a text route reads when it dispatches to a media call (media-responses).
  modalities: z.array(z.string()),
  size: z.string(),
  quality: z.string(),
  image_url: z.string(),
  voice: z.string(),
  language: z.string(),
  speed: z.number(),
  duration: z.union([z.number(), z.string()]),
  aspect_ratio: z.string(),
  resolution: z.string(),
};

export const TEXT_FIELD_TYPES: Readonly<Record<'chat' | 'responses', Readonly<Record<string, z.ZodType>>>> = {
  chat: {
    ...SHARED_FIELD_TYPES,
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)),
    frequency_penalty: penalty,
    presence_penalty: penalty,
    store: z.boolean(),
    prediction: object,
    audio: object,
    web_search_options: object,
    verbosity: z.enum(['low', 'medium', 'high']),
    functions: z.array(object),
    function_call: z.union([z.string(), object]),
  },
  responses: {
    ...SHARED_FIELD_TYPES,
    include: z.array(z.string()),
    background: z.boolean(),
    truncation: z.enum(['auto', 'disabled']),
    max_tool_calls: z.number().int().positive(),
    conversation: z.union([z.string(), object]),
    prompt: object,
    stream_options: object,
    text: z.object({ verbosity: z.enum(['low', 'medium', 'high']).nullish() }).passthrough(),
  },
};

/** Every typed field present in the body, checked; `null` stands for "unset", as OpenAI reads it. */
export const checkFieldTypes = (body: Readonly<Record<string, unknown>>, types: Readonly<Record<string, z.ZodType>>): void => {
  for (const name in types) if (body[name] != null) field(types[name]!, body[name], name, 'invalid_parameter');
};
