import type { Completion } from '../accumulate.ts';
import { newFunctionCallItemId, newMessageId, newReasoningId } from '../ids.ts';
import { toResponsesUsage } from '../usage.ts';

/** The ids of a response's output items: minted when a stream opens each item, so events and the record agree. */
export interface OutputIds {
  reasoning?: string;
  message?: string;
  calls: string[];
}

export const reasoningItem = (id: string, text: string, status = 'completed') => ({
  type: 'reasoning',
  id,
  status,
  summary: text ? [{ type: 'summary_text', text }] : [],
});

export const messageItem = (id: string, text: string, status = 'completed') => ({
  type: 'message',
  id,
  status,
  role: 'assistant',
  content: status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [], logprobs: [] }],
});

export const functionCallItem = (id: string, call: { id: string; name: string; arguments: string }, status = 'completed') => ({
  type: 'function_call',
  id,
  call_id: call.id,
  name: call.name,
  arguments: call.arguments,
  status,
});

export const buildOutputItems = (completion: Completion, ids: OutputIds = { calls: [] }) => {
  const items: object[] = [];
  if (completion.reasoning) items.push(reasoningItem(ids.reasoning ?? newReasoningId(), completion.reasoning));
  if (completion.text || completion.toolCalls.length === 0) items.push(messageItem(ids.message ?? newMessageId(), completion.text));
  completion.toolCalls.forEach((call, i) => {
    items.push(functionCallItem(ids.calls[i] ?? newFunctionCallItemId(), call));
  });
  return items;
};

export type ResponseStatus = 'completed' | 'incomplete' | 'failed' | 'cancelled' | 'in_progress';

export const statusOf = (completion: Completion): ResponseStatus =>
  completion.error ? 'failed' : completion.finishReason === 'length' || completion.finishReason === 'content_filter' ? 'incomplete' : 'completed';

/** The request-derived fields every Responses object repeats. */
export interface ResponseBase {
  readonly id: string;
  readonly created_at: number;
  readonly model: string;
  readonly [field: string]: unknown;
}

export const buildResponseObject = (base: ResponseBase, completion: Completion, status: ResponseStatus, ids?: OutputIds, extras?: object) => ({
  ...base,
  object: 'response',
  status,
  output: status === 'in_progress' ? [] : buildOutputItems(completion, ids),
  usage: completion.usage ? toResponsesUsage(completion.usage) : null,
  error: completion.error ? { code: completion.error.code, message: completion.error.message } : status === 'cancelled' ? { code: 'response_cancelled', message: 'The response was cancelled.' } : null,
  incomplete_details:
    status === 'incomplete' ? { reason: completion.finishReason === 'content_filter' ? 'content_filter' : 'max_output_tokens' } : null,
  ...extras,
});
