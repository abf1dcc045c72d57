import type { Usage } from '../types.ts';
import type { GeminiUsageMetadata } from './wire.ts';

/**
 * Gemini counts thoughts apart from candidates; the canonical `outputTokens` includes them (they are billed
 * as output) and repeats them as `reasoningTokens`. `promptTokenCount` already includes cached tokens.
 */
export const convertUsage = (metadata: GeminiUsageMetadata): Usage => {
  const thoughts = metadata.thoughtsTokenCount ?? 0;
  const inputTokens = (metadata.promptTokenCount ?? 0) + (metadata.toolUsePromptTokenCount ?? 0);
  const outputTokens = (metadata.candidatesTokenCount ?? 0) + thoughts;
  return {
    inputTokens,
    outputTokens,
    totalTokens: metadata.totalTokenCount ?? inputTokens + outputTokens,
    ...(metadata.cachedContentTokenCount ? { cachedInputTokens: metadata.cachedContentTokenCount } : {}),
    ...(thoughts ? { reasoningTokens: thoughts } : {}),
  };
};
