import type { Usage } from '../../layers/providers/types.ts';

const total = (u: Usage): number => u.totalTokens ?? u.inputTokens + u.outputTokens;

export const toChatUsage = (u: Usage) => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: total(u),
  prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
  completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
});

export const toResponsesUsage = (u: Usage) => ({
  input_tokens: u.inputTokens,
  input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
  output_tokens: u.outputTokens,
  output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  total_tokens: total(u),
});
