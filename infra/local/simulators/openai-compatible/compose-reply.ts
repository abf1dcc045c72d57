/**
 * What the simulated model "says", deterministically derived from the request: tool calls when tools are
 * forced or asked for, a schema-valid JSON document for json_schema, an echo of the prompt otherwise, and
 * reasoning text for reasoning models. See README.md for the exact rules.
 */
import { createHash } from 'node:crypto';
import { hintsFromText, sampleJson } from './json-sample.ts';
import { isObject, isReasoningName, lastUserText, textOf, type SimMessage, type SimRequest, type SimTool } from './sim-request.ts';

export interface PlannedToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

export interface Reply {
  readonly reasoning: string;
  readonly content: string | null;
  readonly toolCalls: readonly PlannedToolCall[];
  readonly finishReason: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

const EXCERPT = 200;
const collapse = (text: string, max = EXCERPT): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

const toolCallId = (seed: string, index: number): string => `call_${createHash('sha256').update(`${seed}:${index}`).digest('base64url').slice(0, 24)}`;

const mentionedTools = (tools: readonly SimTool[], text: string): SimTool[] => tools.filter((tool) => new RegExp(`\\b${tool.name}\\b`, 'i').test(text));

const chooseTools = (request: SimRequest): SimTool[] => {
  const { tools, toolChoice } = request;
  const last = request.messages[request.messages.length - 1];
  if (tools.length === 0 || toolChoice === 'none') return [];
  if (typeof toolChoice === 'object') return tools.filter((tool) => tool.name === toolChoice.name);
  // After a tool result the model answers, unless the caller insists on another call.
  if (last?.role === 'tool' && toolChoice !== 'required') return [];
  const text = lastUserText(request.messages);
  const mentioned = mentionedTools(tools, text);
  const chosen = mentioned.length > 0 ? mentioned : toolChoice === 'required' || /\b(?:call|use) (?:a|the|your) tools?\b/i.test(text) ? tools.slice(0, 1) : [];
  return request.parallelToolCalls ? chosen : chosen.slice(0, 1);
};

const attachmentSummary = (messages: readonly SimMessage[]): string => {
  const last = [...messages].reverse().find((message) => message.role === 'user');
  const parts = Array.isArray(last?.content) ? last.content.filter(isObject) : [];
  const count = (type: string): number => parts.filter((part) => part['type'] === type).length;
  const notes = [
    count('image_url') > 0 ? `${count('image_url')} image(s)` : '',
    count('input_audio') > 0 ? `${count('input_audio')} audio clip(s)` : '',
    count('file') > 0 ? `${count('file')} file(s)` : '',
  ].filter((note) => note !== '');
  return notes.length > 0 ? ` I received ${notes.join(', ')}.` : '';
};

const echo = (request: SimRequest): string => {
  const { messages } = request;
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') {
    const call = messages.flatMap((message) => message.tool_calls ?? []).find((c) => c.id === last.tool_call_id);
    return `The tool ${call?.function.name ?? 'call'} returned ${collapse(textOf(last.content))}.`;
  }
  const users = messages.filter((message) => message.role === 'user');
  const earlier = users.length > 1 ? ` Earlier you said: ${collapse(textOf(users[0]?.content), 80)}` : '';
  return `You said: ${collapse(lastUserText(messages))}${earlier}${attachmentSummary(messages)}`;
};

const REASONING_SENTENCES: Readonly<Record<string, number>> = { minimal: 1, low: 1, medium: 2, high: 3 };

const reasoningFor = (request: SimRequest, flavorName: string): string => {
  const thinks = flavorName === 'alibaba' && request.enableThinking !== undefined ? request.enableThinking : isReasoningName(request.model);
  if (!thinks || request.reasoningEffort === 'none') return '';
  const topic = collapse(lastUserText(request.messages), 60);
  const sentences = [`The user wrote "${topic}".`, 'I should answer directly and precisely.', 'Let me double-check before replying.'];
  return sentences.slice(0, REASONING_SENTENCES[request.reasoningEffort ?? 'medium'] ?? 2).join(' ');
};

export const composeReply = (request: SimRequest, flavorName: string, seed: string): Reply => {
  const reasoning = reasoningFor(request, flavorName);
  const hints = hintsFromText(lastUserText(request.messages));
  const calls = chooseTools(request).map((tool, index) => ({
    id: toolCallId(seed, index),
    name: tool.name,
    arguments: JSON.stringify(sampleJson(tool.parameters, hints)),
  }));
  if (calls.length > 0) return { reasoning, content: null, toolCalls: calls, finishReason: 'tool_calls' };
  const format = request.responseFormat;
  const content =
    format.type === 'json_schema'
      ? JSON.stringify(sampleJson(format.schema, hints))
      : format.type === 'json_object'
        ? JSON.stringify({ reply: echo(request) })
        : echo(request);
  return { reasoning, content, toolCalls: [], finishReason: 'stop' };
};

/** Applies stop sequences and the output token limit, as the model would stop. */
export const limitReply = (reply: Reply, request: SimRequest, countTokens: (text: string) => number): Reply => {
  if (reply.content === null) return reply;
  let content = reply.content;
  let finishReason = reply.finishReason;
  for (const stop of request.stop) {
    const at = content.indexOf(stop);
    if (stop !== '' && at >= 0) content = content.slice(0, at);
  }
  const limit = request.maxTokens;
  if (limit !== undefined && countTokens(reply.reasoning) + countTokens(content) > limit) {
    content = content.slice(0, Math.max(0, limit - countTokens(reply.reasoning)) * 4);
    finishReason = 'length';
  }
  return { ...reply, content, finishReason };
};
