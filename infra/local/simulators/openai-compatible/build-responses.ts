/** The Chat Completions bodies the simulator sends: the complete response, stream chunks, usage. */
import type { Reply } from './compose-reply.ts';

export interface SimUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly reasoningTokens: number;
  readonly cachedTokens: number;
}

export interface ResponseIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** Azure adds content-filter annotations to every choice and a prompt-filter chunk first. */
  readonly azure: boolean;
}

export const usageBody = (usage: SimUsage): Record<string, unknown> => ({
  prompt_tokens: usage.promptTokens,
  completion_tokens: usage.completionTokens,
  total_tokens: usage.promptTokens + usage.completionTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedTokens, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

const AZURE_FILTER = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
} as const;

export const completionBody = (identity: ResponseIdentity, reply: Reply, usage: SimUsage): Record<string, unknown> => ({
  id: identity.id,
  object: 'chat.completion',
  created: identity.created,
  model: identity.model,
  system_fingerprint: 'fp_simulator',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: reply.content,
        refusal: null,
        ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}),
        ...(reply.toolCalls.length > 0
          ? { tool_calls: reply.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) }
          : {}),
      },
      logprobs: null,
      finish_reason: reply.finishReason,
      ...(identity.azure ? { content_filter_results: AZURE_FILTER } : {}),
    },
  ],
  usage: usageBody(usage),
  ...(identity.azure ? { prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER }] } : {}),
});

export const chunkBody = (identity: ResponseIdentity, delta: Record<string, unknown>, finishReason: string | null, includeUsage: boolean): Record<string, unknown> => ({
  id: identity.id,
  object: 'chat.completion.chunk',
  created: identity.created,
  model: identity.model,
  system_fingerprint: 'fp_simulator',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason, ...(identity.azure && finishReason === null ? { content_filter_results: {} } : {}) }],
  ...(includeUsage ? { usage: null } : {}),
});

export const usageChunkBody = (identity: ResponseIdentity, usage: SimUsage): Record<string, unknown> => ({
  id: identity.id,
  object: 'chat.completion.chunk',
  created: identity.created,
  model: identity.model,
  system_fingerprint: 'fp_simulator',
  choices: [],
  usage: usageBody(usage),
});

/** Azure's first stream chunk: prompt filter results and no choices. */
export const azurePromptFilterChunk = (): Record<string, unknown> => ({
  id: '',
  object: '',
  created: 0,
  model: '',
  choices: [],
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: AZURE_FILTER }],
});

/** Text as a model streams it: word by word, or `count` pieces of `size` characters for load tests. */
export const pieces = (text: string, chunking?: { readonly count: number; readonly size: number }): string[] => {
  if (chunking !== undefined) {
    const source = text === '' ? 'lorem ' : text;
    return Array.from({ length: chunking.count }, (_, index) => {
      const start = (index * chunking.size) % source.length;
      return (source + source.repeat(Math.ceil(chunking.size / source.length))).slice(start, start + chunking.size);
    });
  }
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
};

/** JSON and tool arguments stream in fixed-size fragments that split tokens mid-way, as providers do. */
export const fragments = (text: string, size = 8): string[] => {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
};
