/**
 * Request validation as the real Chat Completions API does it, with its wording, params and codes. Strict
 * flavors (OpenAI, Azure) also refuse unknown parameters and apply the reasoning-model rules.
 */
import type { Flavor } from './flavors.ts';
import { invalidRequest, type SimError } from './sim-error.ts';
import { isOpenAIReasoningName, isObject, textOf, type SimBody, type SimRequest } from './sim-request.ts';
import { validateMessages } from './validate-messages.ts';
import { validateResponseFormat, validateToolChoice, validateTools } from './validate-tools.ts';

/** Everything OpenAI's chat endpoint accepts; a strict flavor refuses anything else. */
const OPENAI_PARAMS = new Set([
  'model', 'messages', 'stream', 'stream_options', 'temperature', 'top_p', 'n', 'stop', 'max_tokens', 'max_completion_tokens',
  'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs', 'user', 'seed', 'tools', 'tool_choice',
  'parallel_tool_calls', 'response_format', 'reasoning_effort', 'service_tier', 'store', 'metadata', 'modalities', 'audio',
  'prediction', 'prompt_cache_key', 'safety_identifier', 'verbosity', 'web_search_options', 'functions', 'function_call',
]);

const typeName = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);

const numberIn = (body: SimBody, key: string, min: number, max: number, integer: boolean): SimError | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
    return invalidRequest(`Invalid type for '${key}': expected ${integer ? 'an integer' : 'a decimal'}, but got ${typeName(value)} instead.`, key, 'invalid_type');
  }
  const kind = integer ? 'integer' : 'decimal';
  if (value < min) return invalidRequest(`Invalid '${key}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`, key, `${kind}_below_min_value`);
  if (value > max) return invalidRequest(`Invalid '${key}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`, key, `${kind}_above_max_value`);
  return undefined;
};

const reasoningRules = (body: SimBody, model: string): SimError | undefined => {
  const unsupported = (param: string, message: string, code: string): SimError => invalidRequest(message, param, code);
  if (isOpenAIReasoningName(model)) {
    if (body['max_tokens'] !== undefined) {
      return unsupported('max_tokens', "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'unsupported_parameter');
    }
    for (const key of ['temperature', 'top_p']) {
      const value = body[key];
      if (value !== undefined && value !== 1) {
        return unsupported(key, `Unsupported value: '${key}' does not support ${String(value)} with this model. Only the default (1) value is supported.`, 'unsupported_value');
      }
    }
    return undefined;
  }
  if (body['reasoning_effort'] !== undefined) {
    return unsupported('reasoning_effort', "Unsupported parameter: 'reasoning_effort' is not supported with this model.", 'unsupported_parameter');
  }
  return undefined;
};

const scalarChecks = (body: SimBody): SimError | undefined =>
  numberIn(body, 'temperature', 0, 2, false) ??
  numberIn(body, 'top_p', 0, 1, false) ??
  numberIn(body, 'max_tokens', 1, 1_000_000, true) ??
  numberIn(body, 'max_completion_tokens', 1, 1_000_000, true) ??
  numberIn(body, 'n', 1, 1, true) ??
  (body['seed'] !== undefined && !Number.isInteger(body['seed']) ? invalidRequest("Invalid type for 'seed': expected an integer.", 'seed', 'invalid_type') : undefined);

const parseStop = (value: unknown): SimError | string[] => {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length <= 4 && value.every((item) => typeof item === 'string')) return value as string[];
  return invalidRequest("Invalid 'stop': expected a string or an array of at most 4 strings.", 'stop', 'invalid_value');
};

export const validateRequest = (body: unknown, flavor: Flavor, pathModel: string | undefined): SimError | SimRequest => {
  if (!isObject(body)) return invalidRequest('We could not parse the JSON body of your request. The API expects a JSON payload.');
  const model = pathModel ?? body['model'];
  if (typeof model !== 'string' || model === '') return invalidRequest('you must provide a model parameter');
  if (flavor.strict) {
    const unknown = Object.keys(body).find((key) => !OPENAI_PARAMS.has(key));
    if (unknown !== undefined) return invalidRequest(`Unrecognized request argument supplied: ${unknown}`);
  }
  const messages = validateMessages(body['messages']);
  if (!Array.isArray(messages)) return messages;

  const stream = body['stream'] ?? false;
  if (typeof stream !== 'boolean') return invalidRequest(`Invalid type for 'stream': expected a boolean, but got ${typeName(stream)} instead.`, 'stream', 'invalid_type');
  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null && !stream) {
    return invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', 'invalid_value');
  }
  const scalarError = scalarChecks(body);
  if (scalarError) return scalarError;
  const stop = parseStop(body['stop']);
  if (!Array.isArray(stop)) return stop;

  const tools = validateTools(body['tools'], flavor.strict);
  if (!Array.isArray(tools)) return tools;
  const toolChoice = validateToolChoice(body['tool_choice'], tools);
  if (typeof toolChoice === 'object' && 'status' in toolChoice) return toolChoice;
  const responseFormat = validateResponseFormat(body['response_format'], flavor.strict);
  if ('status' in responseFormat) return responseFormat;
  if (flavor.strict && responseFormat.type === 'json_object' && !messages.some((message) => /json/i.test(textOf(message.content)))) {
    return invalidRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages');
  }
  if (flavor.strict) {
    const reasoningError = reasoningRules(body, model);
    if (reasoningError) return reasoningError;
  }
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
  return {
    model,
    messages,
    stream,
    includeUsage: stream && isObject(streamOptions) && streamOptions['include_usage'] === true,
    tools,
    toolChoice,
    parallelToolCalls: body['parallel_tool_calls'] !== false,
    responseFormat,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    stop,
    reasoningEffort: typeof body['reasoning_effort'] === 'string' ? body['reasoning_effort'] : undefined,
    enableThinking: typeof body['enable_thinking'] === 'boolean' ? body['enable_thinking'] : undefined,
  };
};
