import type { Caller } from '../auth/caller.ts';
import { InvalidRequestError } from '../errors.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import type { OnFinished } from './run-text.ts';

const MAX_KEY_LENGTH = 200;

/**
 * Runs `serve` at most once per idempotency key: a replay returns the stored answer (marked `idempotent-replayed`)
 * without calling the provider or charging again. A call that fails before answering frees its key.
 */
export const idempotently = async (
  http: HttpRequest,
  caller: Caller,
  normalizedBody: string,
  store: IdempotencyStore,
  serve: (onFinished: OnFinished | undefined) => Promise<HttpResult>,
  onReplay: () => void = () => undefined,
): Promise<HttpResult> => {
  const key = http.headers['x-idempotency-key'];
  if (key === undefined) return serve(undefined);
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidRequestError('invalid_idempotency_key', `x-idempotency-key must be 1 to ${MAX_KEY_LENGTH} characters.`, { param: 'x-idempotency-key' });
  }
  const claim = await store.claim(caller.id, `${http.method} ${http.event.resource}`, key, normalizedBody);
  if (claim.kind === 'replay') {
    onReplay();
    const { statusCode, headers, body } = claim.result;
    return { statusCode, headers: { ...headers, 'idempotent-replayed': 'true' }, body };
  }
  try {
    return await serve((result) => store.complete(claim.scope, result));
  } catch (error) {
    await store.release(claim.scope).catch(() => undefined);
    throw error;
  }
};
