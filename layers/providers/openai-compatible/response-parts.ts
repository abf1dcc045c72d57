/**
 * A non-streamed Chat Completions response → the same parts a stream would have produced, so the gateway
 * has one code path downstream of every adapter.
 */
import { UpstreamError } from '../../core/errors.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { StreamPart } from '../types.ts';
import { chatResponseSchema } from './chat-response-schema.ts';
import { mapFinishReason } from './finish-reason.ts';
import { toolCallId } from './tool-call-id.ts';
import { convertUsage } from './usage.ts';

const invalidResponse = (why: string): UpstreamError =>
  new UpstreamError(502, UPSTREAM_CODES.invalidResponse, `The provider sent an invalid response: ${why}.`);

export const responseToParts = (value: unknown): StreamPart[] => {
  const parsed = chatResponseSchema().safeParse(value);
  if (!parsed.success) throw invalidResponse('unexpected shape');
  const response = parsed.data;
  const choice = response.choices.find((c) => (c.index ?? 0) === 0);
  if (choice === undefined) throw invalidResponse('no choices');

  const parts: StreamPart[] = [];
  if (response.id != null || response.model != null) {
    parts.push({
      type: 'response-metadata',
      ...(response.id != null ? { id: response.id } : {}),
      ...(response.model != null ? { model: response.model } : {}),
      ...(response.created != null ? { created: response.created } : {}),
    });
  }
  const { message } = choice;
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoning) parts.push({ type: 'reasoning-delta', delta: reasoning });
  const text = message.content ?? message.refusal;
  if (text) parts.push({ type: 'text-delta', delta: text });
  (message.tool_calls ?? []).forEach((call, index) => {
    parts.push({ type: 'tool-call-delta', index, id: call.id ?? toolCallId(), name: call.function.name, argumentsDelta: call.function.arguments ?? '' });
  });
  if (response.usage != null) parts.push({ type: 'usage', usage: convertUsage(response.usage) });
  // A complete body without a finish_reason finished anyway; infer it rather than invent a raw value.
  const inferred = (message.tool_calls ?? []).length > 0 ? 'tool_calls' : 'stop';
  parts.push({ type: 'finish', finishReason: choice.finish_reason != null ? mapFinishReason(choice.finish_reason) : { unified: inferred } });
  return parts;
};
