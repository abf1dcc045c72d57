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
 * Canonical parts → `chat.completion.chunk` frames. Usage is always metered upstream; the usage chunk reaches
 * the client only when it asked for `stream_options.include_usage`.
 *
 * A chunk's JSON is written from parts, not stringified from an object: everything but its delta is the same in
 * every chunk of a stream (`{"id","object","created","model","choices":[{"index":0,"delta":…,"logprobs":null,
 * "finish_reason":…}]}`, in that order), so it is encoded once, and only the delta's values go through
 * `JSON.stringify`. The bytes are those `JSON.stringify` gives for the whole chunk.
 */
export const createChatChunkSerializer = (identity: ChatIdentity, includeUsage: boolean): FrameSerializer => {
  const head = `data: {"id":${JSON.stringify(identity.id)},"object":"chat.completion.chunk","created":${JSON.stringify(identity.created)},"model":${JSON.stringify(identity.model)},"choices":[{"index":0,"delta":`;
  let roleSent = false;
  let usage: ReturnType<typeof toChatUsage> | undefined;
  /** One chunk from its delta's members (`"name":value,…`, or none) and its finish reason. */
  const chunk = (members: string, finishReason: string | null = null): string => {
    let delta = members;
    if (!roleSent) {
      roleSent = true;
      delta = members === '' ? '"role":"assistant"' : `"role":"assistant",${members}`;
    }
    return `${head}{${delta}},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}]}\n\n`;
  };
  const serialize = (part: StreamPart): string | undefined => {
    switch (part.type) {
      case 'text-delta':
        return chunk(`"content":${JSON.stringify(part.delta)}`);
      case 'reasoning-delta':
        return chunk(`"reasoning_content":${JSON.stringify(part.delta)}`);
      case 'tool-call-delta': {
        const call = {
          index: part.index,
          ...(part.id ? { id: part.id, type: 'function' } : {}),
          function: { ...(part.name ? { name: part.name } : {}), arguments: part.argumentsDelta },
        };
        return chunk(`"tool_calls":${JSON.stringify([call])}`);
      }
      case 'finish':
        return chunk('', chatFinishReason(part.finishReason.unified));
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
      const frame = serialize(part);
      return frame === undefined ? [] : [frame];
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
