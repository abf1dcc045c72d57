import type { FinishReason, StreamError, StreamPart, ToolCall, Usage } from '../../layers/providers/types.ts';

/** Everything a generation produced, folded from its canonical parts. Both APIs' final objects are built from it. */
export interface Completion {
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;
  error: StreamError | undefined;
  warnings: string[];
  /** The last `thought-signature` part: replayed with the turn when a conversation continues. */
  thoughtSignature?: string;
}

export const emptyCompletion = (): Completion => ({
  text: '',
  reasoning: '',
  toolCalls: [],
  usage: undefined,
  finishReason: undefined,
  error: undefined,
  warnings: [],
});

interface MutableToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Folds parts one at a time, so a stream can be served and recorded in the same pass. */
export const createAccumulator = () => {
  const completion = emptyCompletion();
  const calls = new Map<number, MutableToolCall>();
  return {
    add(part: StreamPart): void {
      switch (part.type) {
        case 'text-delta':
          completion.text += part.delta;
          break;
        case 'reasoning-delta':
          completion.reasoning += part.delta;
          break;
        case 'tool-call-delta': {
          const call = calls.get(part.index) ?? { id: '', name: '', arguments: '' };
          if (part.id) call.id = part.id;
          if (part.name) call.name = part.name;
          call.arguments += part.argumentsDelta;
          calls.set(part.index, call);
          break;
        }
        case 'usage':
          completion.usage = part.usage;
          break;
        case 'finish':
          completion.finishReason = part.finishReason.unified;
          break;
        case 'error':
          completion.error = part.error;
          break;
        case 'warning':
          completion.warnings.push(part.message);
          break;
        case 'thought-signature':
          completion.thoughtSignature = part.signature;
          break;
        case 'response-metadata':
          break;
      }
    },
    result(): Completion {
      completion.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => ({ ...call }));
      return completion;
    },
  };
};

export const accumulate = (parts: Iterable<StreamPart>): Completion => {
  const acc = createAccumulator();
  for (const part of parts) acc.add(part);
  return acc.result();
};
