/** Chat Completions usage → canonical usage, including cached input and reasoning output tokens. */
import type { Usage } from '../types.ts';
import type { ChatUsage } from './chat-response-schema.ts';

export const convertUsage = (usage: ChatUsage): Usage => {
  const inputTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
    ...(cached != null ? { cachedInputTokens: cached } : {}),
    ...(reasoning != null ? { reasoningTokens: reasoning } : {}),
  };
};
