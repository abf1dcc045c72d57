import { createHash } from 'node:crypto';
import type { HttpRequest } from '../http/request.ts';

/**
 * Who is calling, as far as ownership goes: stored responses and idempotency keys are scoped to it. Payment
 * authorization replaces the bearer hash with the Compose Key id or the x402 payer address once it has run.
 */
export interface Caller {
  readonly id: string;
}

export const callerFromCredential = (request: HttpRequest): Caller => {
  const authorization = request.headers.authorization;
  if (!authorization) return { id: 'anonymous' };
  // Never the credential itself: a one-way digest is enough to tell callers apart.
  return { id: `bearer:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}` };
};
