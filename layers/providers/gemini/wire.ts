/**
 * The generateContent wire format shared by the Generative Language API (v1beta) and Vertex AI.
 * Requests are typed only (we build them); responses are validated with zod because they come from outside.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

export type GeminiRole = 'user' | 'model';

export type GeminiPart =
  | { readonly text: string; readonly thought?: boolean; readonly thoughtSignature?: string }
  | { readonly inlineData: { readonly mimeType: string; readonly data: string } }
  | { readonly fileData: { readonly mimeType: string; readonly fileUri: string } }
  | { readonly functionCall: { readonly name: string; readonly args: Record<string, unknown> }; readonly thoughtSignature?: string }
  | { readonly functionResponse: { readonly name: string; readonly response: Record<string, unknown> } };

export interface GeminiContent {
  readonly role: GeminiRole;
  readonly parts: GeminiPart[];
}

/** Gemini's schema: a subset of OpenAPI 3.0, types spelled as the API's `Type` enum. */
export interface GeminiSchema {
  type?: 'STRING' | 'NUMBER' | 'INTEGER' | 'BOOLEAN' | 'ARRAY' | 'OBJECT';
  format?: string;
  title?: string;
  description?: string;
  nullable?: boolean;
  enum?: string[];
  items?: GeminiSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, GeminiSchema>;
  required?: string[];
  propertyOrdering?: string[];
  minProperties?: number;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  anyOf?: GeminiSchema[];
  default?: unknown;
  example?: unknown;
}

export interface GeminiFunctionDeclaration {
  readonly name: string;
  readonly description?: string;
  readonly parameters?: GeminiSchema;
}

export interface GeminiToolConfig {
  readonly functionCallingConfig: { readonly mode: 'AUTO' | 'ANY' | 'NONE'; readonly allowedFunctionNames?: string[] };
}

export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: GeminiSchema;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GenerateContentRequest {
  contents: GeminiContent[];
  systemInstruction?: { readonly parts: { readonly text: string }[] };
  tools?: { readonly functionDeclarations: GeminiFunctionDeclaration[] }[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: unknown[];
  cachedContent?: string;
}

// The response schemas are built on the first Gemini or Vertex call, not at import: every text function loads
// the provider registry, and zod's schema construction is part of a cold start that other providers never need.
const makeResponsePartSchema = () => z.object({
  text: z.string().optional(),
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: z.object({ name: z.string(), args: z.record(z.string(), z.unknown()).nullish() }).optional(),
  inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
  executableCode: z.unknown().optional(),
  codeExecutionResult: z.unknown().optional(),
});

export type GeminiResponsePart = z.infer<ReturnType<typeof makeResponsePartSchema>>;

const makeUsageMetadataSchema = () => z.object({
  promptTokenCount: z.number().int().nonnegative().optional(),
  candidatesTokenCount: z.number().int().nonnegative().optional(),
  thoughtsTokenCount: z.number().int().nonnegative().optional(),
  cachedContentTokenCount: z.number().int().nonnegative().optional(),
  toolUsePromptTokenCount: z.number().int().nonnegative().optional(),
  totalTokenCount: z.number().int().nonnegative().optional(),
});

export type GeminiUsageMetadata = z.infer<ReturnType<typeof makeUsageMetadataSchema>>;

const makeGenerateContentResponseSchema = () => z.object({
  candidates: z
    .array(
      z.object({
        content: z.object({ role: z.string().optional(), parts: z.array(makeResponsePartSchema()).optional() }).optional(),
        finishReason: z.string().optional(),
        finishMessage: z.string().optional(),
        index: z.number().int().optional(),
      }),
    )
    .optional(),
  promptFeedback: z.object({ blockReason: z.string().optional(), blockReasonMessage: z.string().optional() }).optional(),
  usageMetadata: makeUsageMetadataSchema().optional(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
  /** Vertex only: RFC 3339. */
  createTime: z.string().optional(),
});

export type GenerateContentResponse = z.infer<ReturnType<typeof makeGenerateContentResponseSchema>>;
let responseSchema: ReturnType<typeof makeGenerateContentResponseSchema> | undefined;
export const generateContentResponseSchema = (): ReturnType<typeof makeGenerateContentResponseSchema> => (responseSchema ??= makeGenerateContentResponseSchema());

/** Google's error body (google.rpc.Status); also what a stream sends when it fails midway. */
const makeGoogleErrorBodySchema = () => z.object({
  error: z.object({
    code: z.number().int().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
});

export type GoogleErrorBody = z.infer<ReturnType<typeof makeGoogleErrorBodySchema>>;
let errorSchema: ReturnType<typeof makeGoogleErrorBodySchema> | undefined;
export const googleErrorBodySchema = (): ReturnType<typeof makeGoogleErrorBodySchema> => (errorSchema ??= makeGoogleErrorBodySchema());
