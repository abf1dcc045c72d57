/** A provider's finish reason → the canonical one, keeping the raw value for diagnostics. */
import type { FinishReason } from '../types.ts';

const UNIFIED: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  eos: 'stop',
  eos_token: 'stop',
  stop_sequence: 'stop',
  end_turn: 'stop',
  length: 'length',
  max_tokens: 'length',
  model_length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  tool_use: 'tool_calls',
  content_filter: 'content_filter',
  error: 'error',
};

export const mapFinishReason = (raw: string): { readonly unified: FinishReason; readonly raw: string } => ({
  unified: UNIFIED[raw] ?? 'other',
  raw,
});
