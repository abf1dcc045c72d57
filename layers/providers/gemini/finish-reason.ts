import type { FinishReason } from '../types.ts';

/** Google's finish reasons that mean a filter stopped the answer. */
const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/**
 * Gemini reports STOP even when the turn ended in function calls, so whether calls were emitted decides
 * between `stop` and `tool_calls`.
 */
export const mapFinishReason = (raw: string | undefined, emittedToolCalls: boolean): FinishReason => {
  if (raw === undefined || raw === 'STOP') return emittedToolCalls ? 'tool_calls' : 'stop';
  if (raw === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(raw)) return 'content_filter';
  return 'other';
};
