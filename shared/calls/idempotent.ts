import type { Caller } from '../auth/caller.ts';
import type { Payer, Payment, PriceContext } from '../billing/types.ts';
import { InvalidRequestError, toComposeError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import type { OnAbandoned, OnFinished } from './hooks.ts';
import { logFailure } from '../../layers/core/observability/index.ts';

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
  serve: (onFinished: OnFinished | undefined, onAbandoned: OnAbandoned | undefined) => Promise<HttpResult>,
  onReplay: () => void = () => undefined,
  /** The deadline of the call (`PriceContext.holdSeconds`): a claim older than that belongs to a dead call. */
  lockSeconds?: number,
): Promise<HttpResult> => {
  const key = http.headers['x-idempotency-key'];
  if (key === undefined) return serve(undefined, undefined);
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new InvalidRequestError('invalid_idempotency_key', `x-idempotency-key must be 1 to ${MAX_KEY_LENGTH} characters.`, { param: 'x-idempotency-key' });
  }
  const claim = await store.claim(caller.id, `${http.method} ${http.event.resource}`, key, normalizedBody, lockSeconds);
  if (claim.kind === 'replay') {
    onReplay();
    const { statusCode, headers, body } = claim.result;
    return { statusCode, headers: { ...headers, 'idempotent-replayed': 'true' }, body };
  }
  try {
    // A stream its client abandoned has no answer worth replaying: its key is freed, as after a failure.
    return await serve(
      (result) => store.complete(claim.scope, result),
      () => store.release(claim.scope),
    );
  } catch (error) {
    await store.release(claim.scope).catch(logFailure('idempotency claim not released', { requestId: http.requestId, payer: caller.id }));
    throw error;
  }
};

/**
 * The money skeleton of a paid call that answers through `serve`: hold the worst case, then serve at most once
 * per idempotency key. A replay is free (the hold is released); any failure before the payment was finalized
 * releases the hold (release does nothing after finalize). A proven caller resending an answered call is owed
 * its stored answer even when a new hold is refused (402): its x402 signature is spent, or its budget used up.
 */
export const paidIdempotently = async (
  http: HttpRequest,
  payer: Payer,
  price: PriceContext,
  normalizedBody: string,
  store: IdempotencyStore,
  serve: (payment: Payment, onFinished: OnFinished | undefined, onAbandoned: OnAbandoned | undefined) => Promise<HttpResult>,
): Promise<HttpResult> => {
  let payment: Payment;
  try {
    payment = await payer.charge(price);
  } catch (refusal) {
    if (http.headers['x-idempotency-key'] === undefined || payer.caller.id === 'anonymous' || toComposeError(refusal).status !== 402) throw refusal;
    return idempotently(http, payer.caller, normalizedBody, store, () => Promise.reject(refusal), undefined, price.holdSeconds);
  }
  let replayed = false;
  try {
    const result = await idempotently(http, payer.caller, normalizedBody, store, (onFinished, onAbandoned) => serve(payment, onFinished, onAbandoned), () => void (replayed = true), price.holdSeconds);
    if (replayed) await payment.release();
    return result;
  } catch (error) {
    await payment.release().catch(logFailure('hold not released after a failed call', { requestId: http.requestId, payer: payer.caller.id }));
    throw error;
  }
};

/** An idempotency key that could not be freed after a hang-up stays locked until its call's deadline: logged. */
export const logAbandonFailure = (requestId: string) => logFailure('idempotency key not freed after a hang-up', { requestId });
