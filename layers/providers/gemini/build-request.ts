/** The canonical request → a generateContent body, plus warnings for every setting Gemini cannot honour. */
import type { CanonicalRequest } from '../types.ts';
import { convertJsonSchema } from './convert-schema.ts';
import { convertMessages } from './convert-messages.ts';
import { prepareTools } from './prepare-tools.ts';
import { thinkingConfigFor } from './thinking.ts';
import type { GeminiGenerationConfig, GenerateContentRequest } from './wire.ts';

/** Provider-specific fields clients may send (either spelling) and where they go on the wire. */
const EXTRA_FIELDS = {
  top_k: 'topK', topK: 'topK',
  presence_penalty: 'presencePenalty', presencePenalty: 'presencePenalty',
  frequency_penalty: 'frequencyPenalty', frequencyPenalty: 'frequencyPenalty',
  safety_settings: 'safetySettings', safetySettings: 'safetySettings',
  cached_content: 'cachedContent', cachedContent: 'cachedContent',
  include_thoughts: 'includeThoughts', includeThoughts: 'includeThoughts',
  thinking_budget: 'thinkingBudget', thinkingBudget: 'thinkingBudget',
} as const;

type ExtraTarget = (typeof EXTRA_FIELDS)[keyof typeof EXTRA_FIELDS];

const readExtras = (extra: CanonicalRequest['extra'], warnings: string[]): Partial<Record<ExtraTarget, unknown>> => {
  const values: Partial<Record<ExtraTarget, unknown>> = {};
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (value === undefined || value === null) continue;
    const target = EXTRA_FIELDS[key as keyof typeof EXTRA_FIELDS];
    if (target) values[target] = value;
    else warnings.push(`Parameter "${key}" is not supported by Gemini and was ignored.`);
  }
  return values;
};

const numberOrUndefined = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export interface BuiltRequest {
  readonly body: GenerateContentRequest;
  readonly warnings: string[];
}

export const buildGenerateContentRequest = (request: CanonicalRequest): BuiltRequest => {
  const messages = convertMessages(request.messages);
  const tools = prepareTools(request.tools, request.toolChoice, request.parallelToolCalls);
  const warnings = [...messages.warnings, ...tools.warnings];
  const extras = readExtras(request.extra, warnings);
  const thinking = thinkingConfigFor(request.reasoning, {
    ...(typeof extras.includeThoughts === 'boolean' ? { includeThoughts: extras.includeThoughts } : {}),
    ...(typeof extras.thinkingBudget === 'number' ? { thinkingBudget: extras.thinkingBudget } : {}),
  });
  warnings.push(...thinking.warnings);
  if (request.user !== undefined) warnings.push('Parameter "user" is not supported by Gemini and was ignored.');

  const config: GeminiGenerationConfig = {
    maxOutputTokens: request.maxOutputTokens,
    temperature: request.temperature,
    topP: request.topP,
    topK: numberOrUndefined(extras.topK),
    presencePenalty: numberOrUndefined(extras.presencePenalty),
    frequencyPenalty: numberOrUndefined(extras.frequencyPenalty),
    stopSequences: request.stop && request.stop.length > 0 ? [...request.stop] : undefined,
    seed: request.seed,
    thinkingConfig: thinking.thinkingConfig,
  };
  const format = request.responseFormat;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    const { schema, dropped } = convertJsonSchema(format.schema);
    if (dropped.length > 0) warnings.push(`Gemini does not support ${dropped.join(', ')} in response schema "${format.name}"; dropped.`);
    config.responseSchema = schema;
  }
  const generationConfig = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined)) as GeminiGenerationConfig;

  const body: GenerateContentRequest = {
    contents: messages.contents,
    ...(messages.systemInstruction ? { systemInstruction: messages.systemInstruction } : {}),
    ...(tools.tools ? { tools: tools.tools } : {}),
    ...(tools.toolConfig ? { toolConfig: tools.toolConfig } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
    ...(Array.isArray(extras.safetySettings) ? { safetySettings: extras.safetySettings } : {}),
    ...(typeof extras.cachedContent === 'string' ? { cachedContent: extras.cachedContent } : {}),
  };
  return { body, warnings };
};
