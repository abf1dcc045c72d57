import type { CanonicalRequest } from '../../layers/providers/types.ts';
import type { Measured } from '../pricing/index.ts';
import type { Completion } from './accumulate.ts';

/** About four characters a token: used only when a provider reports no usage, so the call is still metered. */
const CHARS_PER_TOKEN = 4;

export const measuredUsage = (completion: Completion, request: CanonicalRequest): Measured => {
  if (completion.usage) return { kind: 'tokens', usage: completion.usage };
  const output = completion.text.length + completion.reasoning.length + completion.toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0);
  return {
    kind: 'tokens',
    usage: {
      inputTokens: Math.ceil(JSON.stringify(request.messages).length / CHARS_PER_TOKEN),
      outputTokens: Math.ceil(output / CHARS_PER_TOKEN),
    },
  };
};
