/**
 * reasoning_effort / reasoning.effort → `thinkingConfig.thinkingBudget`, and thought summaries on request.
 *
 * | effort            | thinkingBudget | why                                                         |
 * |-------------------|----------------|-------------------------------------------------------------|
 * | none              | 0              | turns thinking off (Flash models; Pro rejects it upstream)   |
 * | minimal, low      | 1024           | the budgets Google's own OpenAI-compatible endpoint uses     |
 * | medium            | 8192           |                                                              |
 * | high, xhigh       | 24576          | the largest budget every 2.5 model accepts                   |
 *
 * Without an effort the model's default (dynamic thinking) applies. `reasoning.summary` (any value but
 * `none`) or an explicit `include_thoughts` asks for thought summaries, which arrive as reasoning deltas.
 */
import type { ReasoningOptions } from '../types.ts';
import type { GeminiThinkingConfig } from './wire.ts';

export const THINKING_BUDGETS = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24576, xhigh: 24576 } as const;

export interface ThinkingOverrides {
  readonly includeThoughts?: boolean;
  readonly thinkingBudget?: number;
}

export const thinkingConfigFor = (
  reasoning: ReasoningOptions | undefined,
  overrides: ThinkingOverrides,
): { readonly thinkingConfig: GeminiThinkingConfig | undefined; readonly warnings: string[] } => {
  const config: GeminiThinkingConfig = {};
  const warnings: string[] = [];
  const effort = reasoning?.effort;
  if (effort !== undefined) {
    if (effort in THINKING_BUDGETS) config.thinkingBudget = THINKING_BUDGETS[effort as keyof typeof THINKING_BUDGETS];
    else warnings.push(`Reasoning effort "${effort}" has no Gemini thinking budget; the model default applies.`);
  }
  if (overrides.thinkingBudget !== undefined) config.thinkingBudget = overrides.thinkingBudget;
  const summary = reasoning?.summary;
  if (summary !== undefined) config.includeThoughts = summary !== 'none';
  if (overrides.includeThoughts !== undefined) config.includeThoughts = overrides.includeThoughts;
  return { thinkingConfig: Object.keys(config).length > 0 ? config : undefined, warnings };
};
