import type { FinishReason, StreamPart } from '../../../layers/providers/types.ts';
import type { Completion } from '../accumulate.ts';
import { dataFrame } from '../../../layers/core/sse/encode.ts';
import type { FrameSerializer } from '../frames.ts';
import { toChatUsage } from '../usage.ts';

export interface ChatIdentity {
  readonly id: string;
  readonly created: number;
  /** The public catalog model id the client asked for. */
  readonly model: string;
}

const chatFinishReason = (reason: FinishReason | undefined): string =>
  reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : 'stop';

/**
 * Canonical parts → `chat.completion.chunk` payloads. Usage is always metered upstream; the usage chunk reaches
 * the client only when it asked for `stream_options.include_usage`.
 */
export const createChatChunkSerializer = (identity: ChatIdentity, includeUsage: boolean): FrameSerializer => {
  let roleSent = false;
  let usage: ReturnType<typeof toChatUsage> | undefined;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => {
    if (!roleSent) {
      roleSent = true;
      delta = { role: 'assistant', ...delta };
    }
    return {
      id: identity.id,
      object: 'chat.completion.chunk',
      created: identity.created,
      model: identity.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  };
  const serialize = (part: StreamPart): object | undefined => {
    switch (part.type) {
      case 'text-delta':
        return chunk({ content: part.delta });
      case 'reasoning-delta':
        return chunk({ reasoning_content: part.delta });
      case 'tool-call-delta':
        return chunk({
          tool_calls: [
            {
              index: part.index,
              ...(part.id ? { id: part.id, type: 'function' } : {}),
              function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta },
            },
          ],
        });
      case 'finish':
        return chunk({}, chatFinishReason(part.finishReason.unified));
      case 'usage':
        // OpenAI sends usage last, after the finish chunk, with no choices.
        usage = toChatUsage(part.usage);
        return undefined;
      default:
        return undefined;
    }
  };
  return {
    part: (part) => {
      const payload = serialize(part);
      return payload ? [dataFrame(payload)] : [];
    },
    end: () =>
      includeUsage && usage
        ? [dataFrame({ id: identity.id, object: 'chat.completion.chunk', created: identity.created, model: identity.model, choices: [], usage })]
        : [],
  };
};

/** The non-streamed `chat.completion` object. */
export const toChatCompletion = (identity: ChatIdentity, completion: Completion) => ({
  id: identity.id,
  object: 'chat.completion',
  created: identity.created,
  model: identity.model,
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: completion.text === '' && completion.toolCalls.length > 0 ? null : completion.text,
        refusal: null,
        ...(completion.reasoning ? { reasoning_content: completion.reasoning } : {}),
        ...(completion.toolCalls.length
          ? { tool_calls: completion.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      },
      logprobs: null,
      finish_reason: chatFinishReason(completion.finishReason),
    },
  ],
  ...(completion.usage ? { usage: toChatUsage(completion.usage) } : {}),
});
