import type { StreamPart } from '../../../layers/providers/types.ts';
import { eventFrame } from '../../../layers/core/sse/encode.ts';
import { createAccumulator } from '../accumulate.ts';
import type { FinalExtras, FrameSerializer } from '../frames.ts';
import { newFunctionCallItemId, newMessageId, newReasoningId } from '../ids.ts';
import {
  buildResponseObject,
  functionCallItem,
  messageItem,
  reasoningItem,
  statusOf,
  type OutputIds,
  type ResponseBase,
} from './output.ts';

const TERMINAL_EVENT = { completed: 'response.completed', incomplete: 'response.incomplete', failed: 'response.failed' } as const;

/** Responses events as OpenAI frames them: `event: <type>` with `{type, sequence_number, ...}`, numbered from 0 per stream. */
export const createResponsesFramer = () => {
  let sequence = 0;
  const frame = (type: string, payload: object): string => eventFrame(type, { type, sequence_number: sequence++, ...payload });
  /** The next sequence number, for a frame written without `frame`. */
  frame.next = (): number => sequence++;
  return frame;
};

/**
 * Canonical parts → Responses API events, in OpenAI's order: an item is added, its part opened, deltas stream,
 * then part and item are done. An open item is closed before the next kind begins.
 */
export const createResponsesEventSerializer = (base: ResponseBase): FrameSerializer & { readonly ids: OutputIds } => {
  const acc = createAccumulator();
  const ids: OutputIds = { calls: [] };
  let outputIndex = -1;
  let open: { kind: 'reasoning' | 'message'; id: string; text: string } | { kind: 'call'; id: string; index: number } | undefined;
  const callText = new Map<number, { id: string; name: string; arguments: string }>();

  const frame = createResponsesFramer();

  const close = (): string[] => {
    if (!open) return [];
    const current = open;
    open = undefined;
    if (current.kind === 'reasoning') {
      const part = { type: 'summary_text', text: current.text };
      return [
        frame('response.reasoning_summary_text.done', { item_id: current.id, output_index: outputIndex, summary_index: 0, text: current.text }),
        frame('response.reasoning_summary_part.done', { item_id: current.id, output_index: outputIndex, summary_index: 0, part }),
        frame('response.output_item.done', { output_index: outputIndex, item: reasoningItem(current.id, current.text) }),
      ];
    }
    if (current.kind === 'message') {
      const part = { type: 'output_text', text: current.text, annotations: [], logprobs: [] };
      return [
        frame('response.output_text.done', { item_id: current.id, output_index: outputIndex, content_index: 0, text: current.text, logprobs: [] }),
        frame('response.content_part.done', { item_id: current.id, output_index: outputIndex, content_index: 0, part }),
        frame('response.output_item.done', { output_index: outputIndex, item: messageItem(current.id, current.text) }),
      ];
    }
    const call = callText.get((current as { index: number }).index)!;
    return [
      frame('response.function_call_arguments.done', { item_id: current.id, output_index: outputIndex, arguments: call.arguments }),
      frame('response.output_item.done', { output_index: outputIndex, item: functionCallItem(current.id, call) }),
    ];
  };

  const openText = (kind: 'reasoning' | 'message'): string[] => {
    const frames = close();
    outputIndex += 1;
    const id = kind === 'reasoning' ? (ids.reasoning = newReasoningId()) : (ids.message = newMessageId());
    open = { kind, id, text: '' };
    if (kind === 'reasoning') {
      frames.push(
        frame('response.output_item.added', { output_index: outputIndex, item: reasoningItem(id, '', 'in_progress') }),
        frame('response.reasoning_summary_part.added', { item_id: id, output_index: outputIndex, summary_index: 0, part: { type: 'summary_text', text: '' } }),
      );
    } else {
      frames.push(
        frame('response.output_item.added', { output_index: outputIndex, item: messageItem(id, '', 'in_progress') }),
        frame('response.content_part.added', { item_id: id, output_index: outputIndex, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } }),
      );
    }
    return frames;
  };

  const textDelta = (kind: 'reasoning' | 'message', delta: string): string[] => {
    const frames = open?.kind === kind ? [] : openText(kind);
    const current = open as { kind: typeof kind; id: string; text: string };
    current.text += delta;
    frames.push(deltaFrame(kind, current.id, delta));
    return frames;
  };

  /**
   * The frame of a text delta, the event nearly every part of a stream becomes: written from parts rather than
   * stringified from an object (only the delta is encoded per event); the bytes are `frame`'s.
   */
  const deltaFrame = (kind: 'reasoning' | 'message', itemId: string, delta: string): string => {
    const type = kind === 'reasoning' ? 'response.reasoning_summary_text.delta' : 'response.output_text.delta';
    const head = `event: ${type}\ndata: {"type":"${type}","sequence_number":${frame.next()},"item_id":${JSON.stringify(itemId)},"output_index":${outputIndex}`;
    return kind === 'reasoning'
      ? `${head},"summary_index":0,"delta":${JSON.stringify(delta)}}\n\n`
      : `${head},"content_index":0,"delta":${JSON.stringify(delta)},"logprobs":[]}\n\n`;
  };

  const callDelta = (part: Extract<StreamPart, { type: 'tool-call-delta' }>): string[] => {
    let frames: string[] = [];
    if (!(open?.kind === 'call' && open.index === part.index)) {
      frames = close();
      outputIndex += 1;
      const id = newFunctionCallItemId();
      ids.calls.push(id);
      const call = { id: part.id ?? id, name: part.name ?? '', arguments: '' };
      callText.set(part.index, call);
      open = { kind: 'call', id, index: part.index };
      frames.push(frame('response.output_item.added', { output_index: outputIndex, item: functionCallItem(id, call, 'in_progress') }));
    }
    const call = callText.get(part.index)!;
    call.arguments += part.argumentsDelta;
    if (part.argumentsDelta) {
      frames.push(frame('response.function_call_arguments.delta', { item_id: (open as { id: string }).id, output_index: outputIndex, delta: part.argumentsDelta }));
    }
    return frames;
  };

  return {
    ids,
    start: () => {
      const initial = buildResponseObject(base, acc.result(), 'in_progress');
      return [frame('response.created', { response: initial }), frame('response.in_progress', { response: initial })];
    },
    part: (part) => {
      acc.add(part);
      switch (part.type) {
        case 'text-delta':
          return textDelta('message', part.delta);
        case 'reasoning-delta':
          return textDelta('reasoning', part.delta);
        case 'tool-call-delta':
          return callDelta(part);
        default:
          return [];
      }
    },
    end: (extras?: FinalExtras) => {
      const completion = acc.result();
      // A response with nothing but an error still gets no empty message item; one with no output at all does.
      const frames = completion.error || open || outputIndex >= 0 ? close() : [...openText('message'), ...close()];
      const status = statusOf(completion);
      const response = buildResponseObject(base, completion, status, ids, extras);
      frames.push(frame(TERMINAL_EVENT[status as keyof typeof TERMINAL_EVENT], { response }));
      return frames;
    },
  };
};
