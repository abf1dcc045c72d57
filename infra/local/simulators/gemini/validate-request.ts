/**
 * Request validation with the API's own messages: contents required, roles, parts with exactly one data
 * field, function responses answering the previous turn's calls, and the JSON parser's refusal of unknown
 * field names (which is how the real API rejects JSON Schema keywords its schema subset lacks).
 */
import { googleError, type GoogleError } from './google-error.ts';
import type { SimContent, SimPart, SimRequest } from './sim-request.ts';

type Json = Record<string, unknown>;

const snake = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

const FIELDS = {
  request: ['model', 'contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels'],
  content: ['role', 'parts'],
  part: ['text', 'thought', 'thoughtSignature', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult', 'videoMetadata', 'mediaResolution'],
  generationConfig: ['stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount', 'maxOutputTokens', 'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'speechConfig', 'thinkingConfig', 'mediaResolution'],
  thinkingConfig: ['includeThoughts', 'thinkingBudget', 'thinkingLevel'],
  tool: ['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext'],
  functionDeclaration: ['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema', 'behavior'],
  schema: ['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum'],
} as const;

const SCHEMA_TYPES = new Set(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL', 'TYPE_UNSPECIFIED']);
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Not a type guard on purpose: narrowing typed request parts to `Json` would erase their fields. */
const notObject = (value: unknown): boolean => !isObject(value);

const invalid = (message: string): GoogleError => googleError(400, message);

const checkFields = (value: Json, allowed: readonly string[], path: string): void => {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && !allowed.some((name) => snake(name) === key)) {
      throw invalid(`Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`);
    }
  }
};

const checkSchema = (schema: unknown, path: string): void => {
  if (!isObject(schema)) throw invalid(`Invalid value at '${path}': expected an object.`);
  checkFields(schema, FIELDS.schema, path);
  if (schema['type'] !== undefined && !SCHEMA_TYPES.has(String(schema['type']).toUpperCase())) {
    throw invalid(`Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "${String(schema['type'])}"`);
  }
  if (isObject(schema['properties'])) for (const [name, property] of Object.entries(schema['properties'])) checkSchema(property, `${path}.properties[${name}].value`);
  if (schema['items'] !== undefined) checkSchema(schema['items'], `${path}.items`);
  if (Array.isArray(schema['anyOf'])) for (const [index, branch] of schema['anyOf'].entries()) checkSchema(branch, `${path}.any_of[${index}]`);
};

const checkPart = (part: SimPart, path: string): void => {
  if (notObject(part)) throw invalid(`Invalid value at '${path}': expected an object.`);
  checkFields(part as Json, FIELDS.part, path);
  const data = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'].filter((key) => part[key as keyof SimPart] !== undefined);
  if (data.length !== 1) throw invalid(`* GenerateContentRequest.${path}.data: required oneof field 'data' must have one initialized field`);
  if (part.inlineData && (!part.inlineData.mimeType || typeof part.inlineData.data !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(part.inlineData.data))) {
    throw invalid(`Invalid value at '${path}.inline_data': mime_type and base64 data are required.`);
  }
  if (part.fileData && (!part.fileData.fileUri || !part.fileData.mimeType)) throw invalid(`* GenerateContentRequest.${path}.file_data: file_uri and mime_type are required.`);
  if (part.functionCall && !FUNCTION_NAME.test(part.functionCall.name ?? '')) throw invalid(`* GenerateContentRequest.${path}.function_call.name: invalid function name.`);
  if (part.functionResponse && !isObject(part.functionResponse.response)) throw invalid(`Invalid value at '${path}.function_response.response': expected an object.`);
};

const calls = (content: SimContent | undefined): SimPart[] => (content?.parts ?? []).filter((part) => part.functionCall);
const responses = (content: SimContent): SimPart[] => content.parts.filter((part) => part.functionResponse);

export interface ValidationRules {
  /** Vertex refuses contents without a role; the Gemini API defaults it to `user`. */
  readonly roleRequired: boolean;
  /** Gemini 3 refuses a function call turn that lost its thought signature. */
  readonly signaturesRequired: boolean;
}

export const validateRequest = (body: unknown, rules: ValidationRules): SimRequest => {
  if (!isObject(body)) throw invalid('Invalid JSON payload received. Expected an object.');
  checkFields(body, FIELDS.request, '');
  const request = body as unknown as SimRequest;
  if (!Array.isArray(request.contents) || request.contents.length === 0) throw invalid('* GenerateContentRequest.contents: contents is not specified');
  request.contents.forEach((content, index) => {
    const path = `contents[${index}]`;
    if (notObject(content)) throw invalid(`Invalid value at '${path}': expected an object.`);
    checkFields(content as Json, FIELDS.content, path);
    if (content.role === undefined && rules.roleRequired) throw invalid('Please use a valid role: user, model.');
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') throw invalid('Please use a valid role: user, model.');
    if (!Array.isArray(content.parts) || content.parts.length === 0) throw invalid(`* GenerateContentRequest.${path}.parts: contents.parts must not be empty.`);
    content.parts.forEach((part: SimPart, partIndex: number) => {
      checkPart(part, `${path}.parts[${partIndex}]`);
    });
    if (responses(content).length > 0 && responses(content).length !== calls(request.contents[index - 1]).length) {
      throw invalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
    if (rules.signaturesRequired && content.role === 'model' && calls(content).length > 0 && !calls(content)[0]?.thoughtSignature) {
      throw invalid(`Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly. Additional data, function call \`${calls(content)[0]?.functionCall?.name}\`, position ${index + 1}.`);
    }
  });
  if (request.systemInstruction !== undefined) {
    if (notObject(request.systemInstruction) || !Array.isArray(request.systemInstruction.parts)) throw invalid("Invalid value at 'system_instruction': expected a Content.");
    request.systemInstruction.parts.forEach((part, index) => {
      checkPart(part, `system_instruction.parts[${index}]`);
    });
  }
  (request.tools ?? []).forEach((tool, index) => {
    checkFields(tool as Json, FIELDS.tool, `tools[${index}]`);
    (tool.functionDeclarations ?? []).forEach((declaration, position) => {
      const path = `tools[${index}].function_declarations[${position}]`;
      checkFields(declaration as unknown as Json, FIELDS.functionDeclaration, path);
      if (!FUNCTION_NAME.test(declaration.name ?? '')) throw invalid(`* GenerateContentRequest.${path}.name: Invalid function name.`);
      if (declaration.parameters !== undefined) checkSchema(declaration.parameters, `${path}.parameters`);
    });
  });
  const mode = request.toolConfig?.functionCallingConfig?.mode;
  if (mode !== undefined && !['AUTO', 'ANY', 'NONE', 'VALIDATED', 'MODE_UNSPECIFIED'].includes(mode)) throw invalid(`Invalid value at 'tool_config.function_calling_config.mode', "${mode}"`);
  if (request.toolConfig?.functionCallingConfig?.allowedFunctionNames && mode !== 'ANY' && mode !== 'VALIDATED') {
    throw invalid('* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: allowed_function_names is only allowed when mode is ANY.');
  }
  const config = request.generationConfig;
  if (config !== undefined) {
    checkFields(config as Json, FIELDS.generationConfig, 'generation_config');
    if (config.thinkingConfig) checkFields(config.thinkingConfig as Json, FIELDS.thinkingConfig, 'generation_config.thinking_config');
    if (config.responseSchema !== undefined) checkSchema(config.responseSchema, 'generation_config.response_schema');
    if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined) throw invalid('response_schema and response_json_schema cannot both be set.');
    if ((config.responseSchema ?? config.responseJsonSchema) !== undefined && config.responseMimeType !== 'application/json') {
      throw invalid('* GenerateContentRequest.generation_config.response_mime_type: response_schema requires response_mime_type application/json.');
    }
  }
  return request;
};
