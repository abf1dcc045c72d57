/** `tools`, `tool_choice` and `response_format` validation, including OpenAI's strict-schema rules. */
import { invalidRequest, type SimError } from './sim-error.ts';
import { isObject, type SimResponseFormat, type SimTool, type SimToolChoice } from './sim-request.ts';

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

const typeName = (value: unknown): string => (Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`);

/**
 * Structured Outputs' strict mode: every object closes with `additionalProperties: false` and requires
 * all of its properties. Returns the first violation's description.
 */
export const strictSchemaViolation = (schema: unknown, context = '()'): string | undefined => {
  if (!isObject(schema)) return undefined;
  const properties = isObject(schema['properties']) ? schema['properties'] : undefined;
  if (schema['type'] === 'object' || properties !== undefined) {
    if (schema['additionalProperties'] !== false) return `In context=${context}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(schema['required']) ? schema['required'] : [];
    const missingKey = Object.keys(properties ?? {}).find((key) => !required.includes(key));
    if (missingKey !== undefined) return `In context=${context}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missingKey}'.`;
  }
  const children: [string, unknown][] = [
    ...Object.entries(properties ?? {}).map(([key, value]): [string, unknown] => [`${context === '()' ? '' : context}('properties', '${key}')`, value]),
    ...(schema['items'] !== undefined ? [[`${context}('items')`, schema['items']] as [string, unknown]] : []),
    ...['anyOf', 'oneOf', 'allOf'].flatMap((key) => (Array.isArray(schema[key]) ? (schema[key] as unknown[]).map((value, i): [string, unknown] => [`${context}('${key}', ${i})`, value]) : [])),
    ...Object.entries(isObject(schema['$defs']) ? schema['$defs'] : {}).map(([key, value]): [string, unknown] => [`('$defs', '${key}')`, value]),
  ];
  for (const [childContext, child] of children) {
    const violation = strictSchemaViolation(child, childContext);
    if (violation) return violation;
  }
  return undefined;
};

export const validateTools = (value: unknown, enforceStrict: boolean): SimError | SimTool[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return invalidRequest(`Invalid type for 'tools': expected an array of objects, but got ${typeName(value)} instead.`, 'tools', 'invalid_type');
  const tools: SimTool[] = [];
  for (const [index, tool] of value.entries()) {
    const param = `tools[${index}]`;
    if (!isObject(tool)) return invalidRequest(`Invalid type for '${param}': expected an object, but got ${typeName(tool)} instead.`, param, 'invalid_type');
    if (tool['type'] !== 'function') return invalidRequest(`Invalid value: '${String(tool['type'])}'. Supported values are: 'function' and 'custom'.`, `${param}.type`, 'invalid_value');
    const fn = tool['function'];
    if (!isObject(fn)) return invalidRequest(`Missing required parameter: '${param}.function'.`, `${param}.function`, 'missing_required_parameter');
    const name = fn['name'];
    if (typeof name !== 'string') return invalidRequest(`Missing required parameter: '${param}.function.name'.`, `${param}.function.name`, 'missing_required_parameter');
    if (!NAME_PATTERN.test(name)) {
      return invalidRequest(`Invalid '${param}.function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, `${param}.function.name`, 'invalid_value');
    }
    const parameters = fn['parameters'] ?? { type: 'object', properties: {} };
    if (!isObject(parameters)) return invalidRequest(`Invalid type for '${param}.function.parameters': expected an object, but got ${typeName(parameters)} instead.`, `${param}.function.parameters`, 'invalid_type');
    if (parameters['type'] !== undefined && parameters['type'] !== 'object') {
      return invalidRequest(`Invalid schema for function '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${String(parameters['type'])}"'.`, `${param}.function.parameters`, 'invalid_function_parameters');
    }
    const strict = fn['strict'] === true;
    const violation = enforceStrict && strict ? strictSchemaViolation(parameters) : undefined;
    if (violation) return invalidRequest(`Invalid schema for function '${name}': ${violation}`, `${param}.function.parameters`, 'invalid_function_parameters');
    tools.push({ name, parameters, strict });
  }
  return tools;
};

export const validateToolChoice = (value: unknown, tools: readonly SimTool[]): SimError | SimToolChoice => {
  if (value === undefined) return tools.length > 0 ? 'auto' : 'none';
  if (tools.length === 0) return invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  if (value === 'auto' || value === 'none' || value === 'required') return value;
  if (typeof value === 'string') return invalidRequest(`Invalid value: '${value}'. Supported values are: 'none', 'auto', and 'required'.`, 'tool_choice', 'invalid_value');
  const name = isObject(value) && value['type'] === 'function' && isObject(value['function']) ? value['function']['name'] : undefined;
  if (typeof name !== 'string') return invalidRequest("Missing required parameter: 'tool_choice.function.name'.", 'tool_choice.function.name', 'missing_required_parameter');
  if (!tools.some((tool) => tool.name === name)) return invalidRequest(`Invalid value for 'tool_choice': function '${name}' is not one of the tools.`, 'tool_choice', 'invalid_value');
  return { name };
};

export const validateResponseFormat = (value: unknown, enforceStrict: boolean): SimError | SimResponseFormat => {
  if (value === undefined) return { type: 'text' };
  if (!isObject(value)) return invalidRequest(`Invalid type for 'response_format': expected an object, but got ${typeName(value)} instead.`, 'response_format', 'invalid_type');
  const type = value['type'];
  if (type === 'text') return { type: 'text' };
  if (type === 'json_object') return { type: 'json_object' };
  if (type !== 'json_schema') {
    return invalidRequest(`Invalid value: '${String(type)}'. Supported values are: 'json_object', 'json_schema', and 'text'.`, 'response_format.type', 'invalid_value');
  }
  const jsonSchema = value['json_schema'];
  if (!isObject(jsonSchema)) return invalidRequest("Missing required parameter: 'response_format.json_schema'.", 'response_format.json_schema', 'missing_required_parameter');
  const name = jsonSchema['name'];
  if (typeof name !== 'string') return invalidRequest("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
  if (!NAME_PATTERN.test(name)) {
    return invalidRequest("Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", 'response_format.json_schema.name', 'invalid_value');
  }
  const schema = jsonSchema['schema'] ?? {};
  if (!isObject(schema)) return invalidRequest(`Invalid type for 'response_format.json_schema.schema': expected an object, but got ${typeName(schema)} instead.`, 'response_format.json_schema.schema', 'invalid_type');
  const violation = enforceStrict && jsonSchema['strict'] === true ? strictSchemaViolation(schema) : undefined;
  if (violation) return invalidRequest(`Invalid schema for response_format '${name}': ${violation}`, 'response_format', 'invalid_json_schema');
  return { type: 'json_schema', name, schema };
};
