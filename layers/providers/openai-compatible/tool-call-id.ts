import { randomBytes } from 'node:crypto';

/** For providers that omit a tool call's id: serializers and the next turn's tool message need one. */
export const toolCallId = (): string => `call_${randomBytes(12).toString('base64url')}`;
