/**
 * The Chat Completions request body the adapter sends, as a schema: the types the mapping code builds, and
 * a check tests run on every body the adapter produces.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

const jsonObject = z.record(z.string(), z.unknown());

export const chatContentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }) }),
  z.object({ type: z.literal('input_audio'), input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }) }),
  z.object({
    type: z.literal('file'),
    file: z.object({ filename: z.string().optional(), file_data: z.string().optional(), file_id: z.string().optional() }),
  }),
]);

export const chatToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});

export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.enum(['system', 'developer']), content: z.string() }),
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(chatContentPartSchema)]) }),
  z.object({ role: z.literal('assistant'), content: z.string().nullable(), tool_calls: z.array(chatToolCallSchema).optional() }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string(), content: z.string() }),
]);

export const chatToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({ name: z.string(), description: z.string().optional(), parameters: jsonObject, strict: z.boolean().optional() }),
});

export const chatToolChoiceSchema = z.union([
  z.enum(['auto', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
]);

export const chatResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({
    type: z.literal('json_schema'),
    json_schema: z.object({ name: z.string(), schema: jsonObject, strict: z.boolean().optional(), description: z.string().optional() }),
  }),
]);

/** What the adapter sends. Loose: provider-specific `extra` fields ride along. */
export const chatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean() }).optional(),
  tools: z.array(chatToolSchema).optional(),
  tool_choice: chatToolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: chatResponseFormatSchema.optional(),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  reasoning_effort: z.string().optional(),
  user: z.string().optional(),
});

export type ChatContentPart = z.infer<typeof chatContentPartSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ChatTool = z.infer<typeof chatToolSchema>;
export type ChatToolChoice = z.infer<typeof chatToolChoiceSchema>;
export type ChatResponseFormat = z.infer<typeof chatResponseFormatSchema>;
export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
