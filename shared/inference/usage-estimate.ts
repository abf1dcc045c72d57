import type { CanonicalRequest } from '../../layers/providers/types.ts';
import type { Measured } from '../pricing/index.ts';
import type { Completion } from './accumulate.ts';
import { clampOutput, estimateTokens } from './output-cap.ts';

/** About four characters a token: used only when a provider reports no usage, so the call is still metered. */
const CHARS_PER_TOKEN = 4;

/**
 * What a text call is charged for: the provider's usage, else an estimate of what was delivered (conservative
 * on output: one token per CJK character). Output never counts past `outputCap`, the cap the hold was quoted
 * for: what went past it was not delivered (see output-cap.ts), so the charge stays within the hold.
 */
export const measuredUsage = (completion: Completion, request: CanonicalRequest, outputCap?: number): Measured => {
  const usage = completion.usage ?? {
    inputTokens: Math.ceil(JSON.stringify(request.messages).length / CHARS_PER_TOKEN),
    outputTokens:
      estimateTokens(completion.text) + estimateTokens(completion.reasoning) + completion.toolCalls.reduce((n, c) => n + estimateTokens(c.name + c.arguments), 0),
  };
  return { kind: 'tokens', usage: outputCap === undefined ? usage : clampOutput(usage, outputCap) };
};
