/**
 * Stage two of a Chat Completions stream: parsed JSON chunks → canonical parts. State lives in the closure;
 * `flush` emits usage and the finish (usage chunks arrive after the finish_reason chunk, so the finish waits
 * for the end). A malformed chunk or an upstream error chunk becomes one terminal `error` part and the
 * upstream is cancelled; a stream that ends without a finish_reason was truncated and says so.
 */
import type { EventStage, ParsedEvent } from '../../core/sse/decode.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { StreamError, StreamPart, Usage } from '../types.ts';
import { chatChunkSchema, type ChatChunk } from './chat-response-schema.ts';
import { isChatChunk } from './chunk-check.ts';
import { streamErrorFromBody, type ErrorContext } from './error-parsing.ts';
import { mapFinishReason } from './finish-reason.ts';
import { convertUsage } from './usage.ts';
import { toolCallId } from './tool-call-id.ts';

type Controller = TransformStreamDefaultController<StreamPart>;

const MALFORMED: StreamError = { status: 502, code: UPSTREAM_CODES.malformedChunk, message: 'The provider sent a malformed stream chunk.' };
const TRUNCATED: StreamError = { status: 502, code: UPSTREAM_CODES.truncated, message: 'The provider ended the stream before finishing.' };

const isErrorChunk = (event: ParsedEvent<unknown>): boolean =>
  event.ok && (event.event === 'error' || (typeof event.value === 'object' && event.value !== null && 'error' in event.value));

type Choice = NonNullable<ChatChunk['choices']>[number];
type ToolCallDelta = NonNullable<NonNullable<Choice['delta']>['tool_calls']>[number];

/** The gateway never asks for n > 1, so the first choice is the answer. A loop: no closure per chunk. */
const firstChoice = (chunk: ChatChunk): Choice | undefined => {
  const choices = chunk.choices;
  if (!choices) return undefined;
  for (const choice of choices) if ((choice.index ?? 0) === 0) return choice;
  return undefined;
};

/** The chunk when the schema accepts it: the hand-written check first, the schema for anything it does not accept. */
const readChunk = (value: unknown): ChatChunk | undefined => {
  if (isChatChunk(value)) return value;
  const parsed = chatChunkSchema().safeParse(value);
  return parsed.success ? parsed.data : undefined;
};

/** The stage's transformer, run inside the decoder's hop (`decodeJsonSse`). */
export const chatStreamStage = (context: ErrorContext): EventStage<unknown, StreamPart> => {
  let metadataSent = false;
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  /** Tool-call indexes already announced (their id and name went out with the first delta). */
  const announcedCalls = new Set<number>();

  const fail = (controller: Controller, error: StreamError): void => {
    controller.enqueue({ type: 'error', error });
    // Terminating cancels the upstream body: nothing after a broken chunk can be trusted or billed.
    controller.terminate();
  };

  const emitMetadata = (chunk: ChatChunk, controller: Controller): void => {
    // Azure opens with a prompt-filter chunk whose id and model are blank: the metadata comes later.
    if (metadataSent || (!chunk.id && !chunk.model)) return;
    metadataSent = true;
    controller.enqueue({
      type: 'response-metadata',
      ...(chunk.id ? { id: chunk.id } : {}),
      ...(chunk.model ? { model: chunk.model } : {}),
      ...(chunk.created ? { created: chunk.created } : {}),
    });
  };

  const emitChoice = (chunk: ChatChunk, controller: Controller): void => {
    const choice = firstChoice(chunk);
    if (choice === undefined) return;
    const delta = choice.delta;
    const reasoning = delta?.reasoning_content ?? delta?.reasoning;
    if (reasoning) controller.enqueue({ type: 'reasoning-delta', delta: reasoning });
    // A refusal is what the model said; it reaches the client as text.
    const text = delta?.content ?? delta?.refusal;
    if (text) controller.enqueue({ type: 'text-delta', delta: text });
    const calls = delta?.tool_calls;
    if (calls) for (let position = 0; position < calls.length; position++) emitToolCall(calls[position]!, position, controller);
    if (choice.finish_reason != null) finishReason = choice.finish_reason;
  };

  const emitToolCall = (call: ToolCallDelta, position: number, controller: Controller): void => {
    const index = call.index ?? position;
    const argumentsDelta = call.function?.arguments ?? '';
    if (announcedCalls.has(index)) {
      if (argumentsDelta !== '') controller.enqueue({ type: 'tool-call-delta', index, argumentsDelta });
      return;
    }
    announcedCalls.add(index);
    controller.enqueue({
      type: 'tool-call-delta',
      index,
      id: call.id ?? toolCallId(),
      ...(call.function?.name != null ? { name: call.function.name } : {}),
      argumentsDelta,
    });
  };

  return {
    transform(event, controller) {
      if (!event.ok) return fail(controller, MALFORMED);
      if (isErrorChunk(event)) return fail(controller, streamErrorFromBody(event.value, context));
      const chunk = readChunk(event.value);
      if (chunk === undefined) return fail(controller, MALFORMED);
      emitMetadata(chunk, controller);
      // Some providers repeat running totals on every chunk; the last one is the bill.
      if (chunk.usage != null) usage = convertUsage(chunk.usage);
      emitChoice(chunk, controller);
    },
    flush(controller) {
      if (usage !== undefined) controller.enqueue({ type: 'usage', usage });
      if (finishReason === undefined) controller.enqueue({ type: 'error', error: TRUNCATED });
      else controller.enqueue({ type: 'finish', finishReason: mapFinishReason(finishReason) });
    },
  };
};
