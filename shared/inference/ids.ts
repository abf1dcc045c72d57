import { randomBytes } from 'node:crypto';

/** OpenAI-style ids: a type prefix and 24 random bytes in hex, unguessable because stored records are keyed by them. */
const id = (prefix: string): string => `${prefix}_${randomBytes(24).toString('hex')}`;

export const newResponseId = (): string => id('resp');
export const newMessageId = (): string => id('msg');
export const newReasoningId = (): string => id('rs');
export const newFunctionCallItemId = (): string => id('fc');
export const newChatCompletionId = (): string => id('chatcmpl');
