import type { CanonicalMessage } from '../../layers/providers/types.ts';
import type { Completion } from './accumulate.ts';

/** A generation as the assistant turn it becomes in the conversation that `previous_response_id` continues. */
export const assistantTurn = (completion: Completion): CanonicalMessage => ({
  role: 'assistant',
  content: completion.text || (completion.toolCalls.length ? null : ''),
  ...(completion.reasoning ? { reasoning: completion.reasoning } : {}),
  ...(completion.toolCalls.length ? { toolCalls: completion.toolCalls } : {}),
  ...(completion.thoughtSignature ? { thoughtSignature: completion.thoughtSignature } : {}),
});
