/**
 * Ids of stored records (responses, chat completions, output items) are unguessable: a type prefix and 24 random
 * bytes in hex. They come from a pool of random bytes filled a few KiB at a time, each byte used once: ids drawn
 * across many refills stay well-formed and never repeat.
 */
import { describe, expect, it } from 'vitest';
import { newChatCompletionId, newFunctionCallItemId, newMessageId, newReasoningId, newResponseId } from '../../shared/inference/ids.ts';

describe('inference ids', () => {
  it.each([
    ['resp', newResponseId],
    ['msg', newMessageId],
    ['rs', newReasoningId],
    ['fc', newFunctionCallItemId],
    ['chatcmpl', newChatCompletionId],
  ])('%s ids are the prefix and 48 hex digits', (prefix, make) => {
    expect(make()).toMatch(new RegExp(`^${prefix}_[0-9a-f]{48}$`));
  });

  it('never repeats, across many refills of the pool', () => {
    // 20,000 ids × 24 bytes is over a hundred refills of a 4 KiB pool.
    const ids = Array.from({ length: 20_000 }, newChatCompletionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => /^chatcmpl_[0-9a-f]{48}$/.test(id))).toBe(true);
  });
});
