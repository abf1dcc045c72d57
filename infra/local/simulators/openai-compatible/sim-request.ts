/** The request as the simulator understands it, after validation. */

export type SimBody = Record<string, unknown>;

export interface SimToolCall {
  readonly id: string;
  readonly function: { readonly name: string; readonly arguments: string };
}

export interface SimMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
  /** A string, an array of content parts, or null (assistant with tool calls). */
  readonly content: unknown;
  readonly tool_calls?: readonly SimToolCall[];
  readonly tool_call_id?: string;
}

export interface SimTool {
  readonly name: string;
  readonly parameters: Record<string, unknown>;
  readonly strict: boolean;
}

export type SimToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

export type SimResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name: string; readonly schema: Record<string, unknown> };

export interface SimRequest {
  readonly model: string;
  readonly messages: readonly SimMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly tools: readonly SimTool[];
  readonly toolChoice: SimToolChoice;
  readonly parallelToolCalls: boolean;
  readonly responseFormat: SimResponseFormat;
  readonly maxTokens: number | undefined;
  readonly stop: readonly string[];
  readonly reasoningEffort: string | undefined;
  /** DashScope's switch; undefined when not sent. */
  readonly enableThinking: boolean | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
export { isObject };

/** The text of a message's content (text parts joined), for echoing and fault tokens. */
export const textOf = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => isObject(part) && part['type'] === 'text' && typeof part['text'] === 'string')
    .map((part) => part.text)
    .join(' ');
};

export const lastUserText = (messages: readonly SimMessage[]): string => textOf([...messages].reverse().find((message) => message.role === 'user')?.content);

/** Reasoning models by name: o-series, gpt-5 (not its chat variants), and anything that says it reasons. */
export const isOpenAIReasoningName = (model: string): boolean => /^(?:o\d|gpt-5)/.test(model) && !/-chat/.test(model);
export const isReasoningName = (model: string): boolean =>
  isOpenAIReasoningName(model) || /reasoning|thinking|qwq|deepseek-r1|(?:^|[-/_])r1(?:$|[-_])/i.test(model);
