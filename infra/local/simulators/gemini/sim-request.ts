/**
 * The request as the simulator reads it. Google's JSON parser accepts both `lowerCamel` and `snake_case`
 * field names, so bodies are camelized first (never inside user data: function args and responses,
 * JSON Schemas, property names, labels).
 */

export interface SimPart {
  readonly text?: string;
  readonly thought?: boolean;
  readonly thoughtSignature?: string;
  readonly inlineData?: { readonly mimeType?: string; readonly data?: string };
  readonly fileData?: { readonly mimeType?: string; readonly fileUri?: string };
  readonly functionCall?: { readonly name?: string; readonly args?: Record<string, unknown> };
  readonly functionResponse?: { readonly name?: string; readonly response?: Record<string, unknown> };
  readonly executableCode?: unknown;
  readonly codeExecutionResult?: unknown;
}

export interface SimContent {
  readonly role?: string;
  readonly parts: readonly SimPart[];
}

export type SimSchema = Record<string, unknown>;

export interface SimRequest {
  readonly contents: readonly SimContent[];
  readonly systemInstruction?: { readonly parts: readonly SimPart[] };
  readonly tools?: readonly { readonly functionDeclarations?: readonly { readonly name?: string; readonly parameters?: SimSchema; readonly parametersJsonSchema?: SimSchema }[] }[];
  readonly toolConfig?: { readonly functionCallingConfig?: { readonly mode?: string; readonly allowedFunctionNames?: readonly string[] } };
  readonly generationConfig?: {
    readonly maxOutputTokens?: number;
    readonly stopSequences?: readonly string[];
    readonly responseMimeType?: string;
    readonly responseSchema?: SimSchema;
    readonly responseJsonSchema?: SimSchema;
    readonly thinkingConfig?: { readonly thinkingBudget?: number; readonly includeThoughts?: boolean; readonly thinkingLevel?: string };
  };
}

/** Keys whose value is user data, left exactly as sent. */
const OPAQUE = new Set(['args', 'response', 'responseJsonSchema', 'parametersJsonSchema', 'labels', 'default', 'example', 'enum']);

const camel = (key: string): string => key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

export const camelizeRequest = (value: unknown, parentKey = ''): unknown => {
  if (Array.isArray(value)) return value.map((item) => camelizeRequest(item, parentKey));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, inner]) => {
    // Property names of a schema are the user's; their schemas are not.
    const name = parentKey === 'properties' ? key : camel(key);
    return [name, OPAQUE.has(name) && parentKey !== 'properties' ? inner : camelizeRequest(inner, parentKey === 'properties' ? '' : name)];
  });
  return Object.fromEntries(entries);
};
