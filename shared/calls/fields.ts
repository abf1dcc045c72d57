// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { once } from '../../layers/core/once.ts';
import type { FunctionTool, ReasoningOptions, ResponseFormat, ToolChoice } from '../../layers/providers/types.ts';

/** Validates one field with its own error code, naming the field and the first problem in the message. */
export const field = <T>(schema: z.ZodType<T>, value: unknown, param: string, code: string): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `${param}.${issue.path.join('.')}` : param;
  throw refusal({ code, message: `Invalid '${where}': ${issue?.message ?? 'invalid value'}.`, param });
};

/** What a refused field is called: the error's stable code, its sentence, and the parameter it blames. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  readonly param: string;
}

/** The project's typed error for a refusal: one 400, OpenAI-shaped, naming the parameter. */
export const refusal = ({ code, message, param }: Refusal): InvalidRequestError => new InvalidRequestError(code, message, { param });

/**
 * How one field's zod issues are named, where the defaults do not fit: the code (or the whole refusal) for an
 * issue, given the value sent. Anything left undefined keeps its default.
 */
export type FieldRefusal = (issue: z.core.$ZodIssue, value: unknown) => Partial<Refusal> | undefined;

/** The kind of problem an issue is: `missing` for a required field sent absent (or as ''), else zod's issue code. */
export type IssueKind = 'missing' | z.core.$ZodIssue['code'];

export const issueKind = (issue: z.core.$ZodIssue, value: unknown): IssueKind =>
  issue.path.length <= 1 && (value === undefined || value === null || (issue.code === 'too_small' && value === '')) ? 'missing' : issue.code;

/** A FieldRefusal that only renames codes, by kind of problem (`invalid` stands for every kind but `missing`). */
export const codesByKind =
  (codes: Partial<Record<IssueKind | 'invalid', string>>): FieldRefusal =>
  (issue, value) => {
    const kind = issueKind(issue, value);
    const code = codes[kind] ?? (kind === 'missing' ? undefined : codes.invalid);
    return code === undefined ? undefined : { code };
  };

const ARTICLES: Readonly<Record<string, string>> = { int: 'an integer', array: 'an array', object: 'an object', number: 'a number', boolean: 'a boolean', string: 'a string' };

const quoted = (values: readonly unknown[]): string => values.map((v) => `'${String(v)}'`).join(', ');

/** Where an issue is, as a client names it: `input`, `input[2]`, `tools[0].name`. */
export const whereOf = (issue: { readonly path?: readonly PropertyKey[] }): string =>
  issue.path?.length ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('') : 'body';

/**
 * The house sentences for body fields, from the issue alone: `'x' is required.`, `Invalid 'x': must be a
 * string.`, `… must be one of 'a', 'b', got "c".` A schema gives its own words (zod's `error`) where these do not fit.
 */
const bodyMessage = (issue: z.core.$ZodRawIssue): string => {
  const where = whereOf(issue);
  const value = issue.input;
  if ((issue.path?.length ?? 0) <= 1 && (value === undefined || value === null || (issue.code === 'too_small' && value === ''))) return `'${where}' is required.`;
  if (issue.code === 'invalid_type') return `Invalid '${where}': must be ${ARTICLES[issue.expected] ?? issue.expected}.`;
  if (issue.code === 'invalid_value') return `Invalid '${where}': must be one of ${quoted(issue.values)}, got ${JSON.stringify(value)}.`;
  if (issue.code === 'unrecognized_keys') return `Unrecognized request argument supplied: ${issue.keys[0]}.`;
  const fallback = z.config().localeError?.(issue);
  return `Invalid '${where}': ${(typeof fallback === 'string' ? fallback : fallback?.message) ?? 'invalid value'}.`;
};

/** The code a refused field gets when its FieldRefusal says nothing: zod's refinement may name one, else by kind. */
const defaultCode = (issue: z.core.$ZodIssue, param: string, value: unknown): string => {
  if (issue.code === 'custom' && typeof issue.params?.code === 'string') return issue.params.code;
  if (issue.code === 'unrecognized_keys') return 'unknown_parameter';
  return issueKind(issue, value) === 'missing' ? `missing_${param}` : 'invalid_parameter';
};

/**
 * A request body checked by one zod object schema: its value, or the first problem as the project's typed error.
 * An unknown field (a strict schema) is reported before any other, as OpenAI does; the rest in the schema's
 * field order, so the order of the shape is the order of the checks. `refusals` renames what the defaults
 * call a field's problems (see `bodyMessage` and `defaultCode`).
 */
export const parseBody = <S extends z.ZodType>(schema: S, body: Readonly<Record<string, unknown>>, refusals: Readonly<Record<string, FieldRefusal>> = {}): z.output<S> => {
  const result = schema.safeParse(body, { error: bodyMessage });
  if (result.success) return result.data;
  const issues = result.error.issues;
  const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0]!;
  const param = issue.code === 'unrecognized_keys' ? issue.keys[0]! : String(issue.path[0] ?? 'body');
  const value = body[param];
  const named = issue.code === 'unrecognized_keys' ? undefined : refusals[param]?.(issue, value);
  throw refusal({ code: named?.code ?? defaultCode(issue, param, value), message: named?.message ?? issue.message, param: named?.param ?? param });
};

/** `model`, on every route: a non-empty string (`missing_model` when absent or empty, `invalid_model` otherwise). */
export const modelSchema = z.string({ error: (issue) => (issue.input === undefined || issue.input === null || issue.input === '' ? 'model is required' : "'model' must be a string.") }).min(1);
export const MODEL_REFUSAL: FieldRefusal = codesByKind({ missing: 'missing_model', invalid: 'invalid_model' });

const MODEL_BODY = z.object({ model: modelSchema });
export const requireModel = (body: Readonly<Record<string, unknown>>): string => parseBody(MODEL_BODY, body, { model: MODEL_REFUSAL }).model;

/** `stream`, on every route that streams: a boolean (`invalid_stream` otherwise); unset is false. */
export const streamSchema = z.boolean({ error: "'stream' must be a boolean." }).nullish();
export const STREAM_REFUSAL: FieldRefusal = codesByKind({ invalid: 'invalid_stream' });

const STREAM_BODY = z.object({ stream: streamSchema });
export const readStream = (body: Readonly<Record<string, unknown>>): boolean => parseBody(STREAM_BODY, body, { stream: STREAM_REFUSAL }).stream ?? false;

/**
 * A schema built on its first use: a zod schema costs far more to construct than to run, and most bodies never
 * send the optional fields these check, so a cold start builds none of them.
 */
const streamOptionsSchema = once(() => z.object({ include_usage: z.boolean().optional() }).passthrough());
export const readIncludeUsage = (body: Record<string, unknown>): boolean =>
  body.stream_options == null ? false : field(streamOptionsSchema(), body.stream_options, 'stream_options', 'invalid_stream_options').include_usage === true;

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const parametersSchema = once(() => z.record(z.string(), z.unknown()));

const chatToolSchema = once(() =>
  z.object({
    type: z.literal('function'),
    function: z.object({
      name: z.string().regex(FUNCTION_NAME, 'function names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
      description: z.string().optional(),
      parameters: parametersSchema().optional(),
      strict: z.boolean().nullish(),
    }),
  }),
);

/** Responses tools are flat: `{type:'function', name, parameters}`. */
const responsesToolSchema = once(() =>
  z.object({
    type: z.literal('function'),
    name: z.string().regex(FUNCTION_NAME, 'function names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
    description: z.string().nullish(),
    parameters: parametersSchema().nullish(),
    strict: z.boolean().nullish(),
  }),
);

const toFunctionTool = (t: { name: string; description?: string | null; parameters?: Record<string, unknown> | null; strict?: boolean | null }): FunctionTool => ({
  type: 'function',
  name: t.name,
  ...(t.description ? { description: t.description } : {}),
  parameters: t.parameters ?? { type: 'object', properties: {} },
  ...(t.strict != null ? { strict: t.strict } : {}),
});

export const readTools = (value: unknown, shape: 'chat' | 'responses'): FunctionTool[] | undefined => {
  if (value == null) return undefined;
  if (shape === 'chat') return field(z.array(chatToolSchema()), value, 'tools', 'invalid_tools').map((t) => toFunctionTool(t.function));
  return field(z.array(responsesToolSchema()), value, 'tools', 'invalid_tools').map(toFunctionTool);
};

const toolChoiceSchema = once(() =>
  z.union([
    z.enum(['none', 'auto', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
    z.object({ type: z.literal('function'), name: z.string() }),
  ]),
);

export const readToolChoice = (value: unknown, tools: readonly FunctionTool[] | undefined): ToolChoice | undefined => {
  if (value == null) return undefined;
  const choice = field(toolChoiceSchema(), value, 'tool_choice', 'invalid_tool_choice');
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

const jsonSchemaFormat = once(() =>
  z.object({
    name: z.string().regex(FUNCTION_NAME, 'names are 1-64 characters of a-z, A-Z, 0-9, _ and -'),
    schema: parametersSchema(),
    strict: z.boolean().nullish(),
    description: z.string().optional(),
  }),
);

const chatResponseFormatSchema = once(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({ type: z.literal('json_schema'), json_schema: jsonSchemaFormat() }),
  ]),
);

/** Responses puts the format in `text.format`, flat: `{type:'json_schema', name, schema}`. */
const responsesFormatSchema = once(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    jsonSchemaFormat().extend({ type: z.literal('json_schema') }),
  ]),
);

const toFormat = (f: { type: string; name?: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string }): ResponseFormat =>
  f.type === 'json_schema'
    ? { type: 'json_schema', name: f.name!, schema: f.schema!, ...(f.strict != null ? { strict: f.strict } : {}), ...(f.description ? { description: f.description } : {}) }
    : { type: f.type as 'text' | 'json_object' };

export const readChatResponseFormat = (value: unknown): ResponseFormat | undefined => {
  if (value == null) return undefined;
  const format = field(chatResponseFormatSchema(), value, 'response_format', 'invalid_response_format');
  return format.type === 'json_schema' ? toFormat({ type: 'json_schema', ...format.json_schema }) : toFormat(format);
};

export const readResponsesFormat = (value: unknown, param: string): ResponseFormat | undefined =>
  value == null ? undefined : toFormat(field(responsesFormatSchema(), value, param, 'invalid_response_format') as Parameters<typeof toFormat>[0]);

const reasoningSchema = once(() => z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).passthrough());

export const readReasoning = (body: Record<string, unknown>): ReasoningOptions | undefined => {
  const effort = body.reasoning_effort == null ? undefined : field(z.string(), body.reasoning_effort, 'reasoning_effort', 'invalid_reasoning');
  const reasoning = body.reasoning == null ? undefined : field(reasoningSchema(), body.reasoning, 'reasoning', 'invalid_reasoning');
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


/**
 * OpenAI fields the gateway does not model but whose type OpenAI fixes: checked here so a wrong type is a 400
 * (`invalid_parameter`) rather than something a provider may silently ignore. Fields OpenAI does not define
 * are not listed: they pass through to the provider untouched (`customParams`).
 */
const sharedFieldTypes = (): Readonly<Record<string, z.ZodType>> => ({
  logprobs: z.boolean(),
  top_logprobs: z.number().int().min(0).max(20),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']),
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
});

const object = (): z.ZodType => z.record(z.string(), z.unknown());
const penalty = (): z.ZodType => z.number().min(-2).max(2);

const FIELD_TYPES: Readonly<Record<TextShape, () => Readonly<Record<string, z.ZodType>>>> = {
  chat: () => ({
    ...sharedFieldTypes(),
    logit_bias: z.record(z.string(), z.number().min(-100).max(100)),
    frequency_penalty: penalty(),
    presence_penalty: penalty(),
    store: z.boolean(),
    prediction: object(),
    audio: object(),
    web_search_options: object(),
    verbosity: z.enum(['low', 'medium', 'high']),
    functions: z.array(object()),
    function_call: z.union([z.string(), object()]),
  }),
  responses: () => ({
    ...sharedFieldTypes(),
    include: z.array(z.string()),
    background: z.boolean(),
    truncation: z.enum(['auto', 'disabled']),
    max_tool_calls: z.number().int().positive(),
    conversation: z.union([z.string(), object()]),
    prompt: object(),
    stream_options: object(),
    text: z.object({ verbosity: z.enum(['low', 'medium', 'high']).nullish() }).passthrough(),
  }),
};

type TextShape = 'chat' | 'responses';
const fieldTypesMemo: Partial<Record<TextShape, Readonly<Record<string, z.ZodType>>>> = {};
/**
 * The typed fields of one API shape, built on the first request of that shape: zod schemas cost far more to
 * construct than to run, and a cold start that serves chat never needs the Responses ones.
 */
export const textFieldTypes = (shape: TextShape): Readonly<Record<string, z.ZodType>> => (fieldTypesMemo[shape] ??= FIELD_TYPES[shape]());

/** Every typed field present in the body, checked; `null` stands for "unset", as OpenAI reads it. */
export const checkFieldTypes = (body: Readonly<Record<string, unknown>>, types: Readonly<Record<string, z.ZodType>>): void => {
  for (const name in types) if (body[name] != null) field(types[name]!, body[name], name, 'invalid_parameter');
};


/**
 * A text body's fields as one zod object per API shape: every rule the readers above apply (`readTools`,
 * `readStream`, `TEXT_FIELD_TYPES`…), composed so the OpenAPI document can be checked against them
 * (test/contract/openapi-zod-drift.test.ts). The readers check field by field, each with its own code; `messages`,
 * `input` and `attachments` are read by their own walkers (shared/inference/request), so their entries here
 * give the shape those walkers accept. Unknown fields pass through to the provider.
 */
/** The fields chat and Responses read alike. */
const sharedTextFields = () => ({
  model: modelSchema,
  provider: z.string().min(1).nullish(),
  stream: streamSchema,
  stream_options: streamOptionsSchema().nullish(),
  tool_choice: toolChoiceSchema().nullish(),
  response_format: chatResponseFormatSchema().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  reasoning_effort: z.string().nullish(),
  reasoning: reasoningSchema().nullish(),
  temperature: temperatureSchema.nullish(),
  top_p: topPSchema.nullish(),
  stop: stopSchema.nullish(),
  seed: z.int().nullish(),
  user: z.string().nullish(),
  metadata: metadataSchema.nullish(),
  n: positiveInt.nullish(),
  attachments: z.array(z.unknown()).nullish(),
  attachment: z.unknown().optional(),
});

const routeFields = (route: TextShape) => Object.fromEntries(Object.entries(textFieldTypes(route)).map(([name, schema]) => [name, schema.nullish()]));

const list = () => z.array(z.record(z.string(), z.unknown()));

const makeTextBody = () => ({
  chat: z.looseObject({
    ...sharedTextFields(),
    messages: list().min(1),
    tools: z.array(chatToolSchema()).nullish(),
    max_tokens: positiveInt.nullish(),
    max_completion_tokens: positiveInt.nullish(),
    ...routeFields('chat'),
  }),
  responses: z.looseObject({
    ...sharedTextFields(),
    input: z.union([z.string(), list()]).nullish(),
    tools: z.array(responsesToolSchema()).nullish(),
    max_output_tokens: positiveInt.nullish(),
    store: z.boolean().nullish(),
    instructions: z.string().nullish(),
    previous_response_id: z.string().min(1).nullish(),
    ...routeFields('responses'),
  }),
});

let textBodyMemo: ReturnType<typeof makeTextBody> | undefined;
/** Built when asked (the OpenAPI drift check): no request reads it, so a cold start does not build it. */
export const textBody = (): ReturnType<typeof makeTextBody> => (textBodyMemo ??= makeTextBody());
