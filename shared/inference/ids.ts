import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for ids, drawn from a pool filled 4 KiB at a time, each byte handed out once: `randomBytes(24)` per id
 * cost ~5 µs here (one call into OpenSSL for each), a pooled id ~0.3 µs. Node's `crypto.randomUUID` caches its
 * entropy the same way.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let offset = POOL_BYTES;

const randomHex = (bytes: number): string => {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
};

/** OpenAI-style ids: a type prefix and 24 random bytes in hex, unguessable because stored records are keyed by them. */
const id = (prefix: string): string => `${prefix}_${randomHex(24)}`;

export const newResponseId = (): string => id('resp');
export const newMessageId = (): string => id('msg');
export const newReasoningId = (): string => id('rs');
export const newFunctionCallItemId = (): string => id('fc');
export const newChatCompletionId = (): string => id('chatcmpl');
