/**
 * Every paid media call runs through here, in the order that keeps money safe (as the text path does): prove
 * the payer, hold the worst-case quote, run at most once per `x-idempotency-key`, call the provider under a
 * deadline, charge what was measured (receipt headers on native routes), and release the hold on any failure.
 * A replay is free: the hold is released and the stored answer (bytes included) comes back as it was.
 * Reusable by any paid operation that answers once (vision, video submission).
 */
import type { CallOptions, ProviderId } from '../../layers/providers/types.ts';
import type { Caller } from '../auth/caller.ts';
import type { Billing, Payment, PriceContext, Surface } from '../billing/types.ts';
import { UpstreamError, toComposeError } from '../errors.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResult } from '../http/response.ts';
import { idempotently } from '../inference/idempotent.ts';
import { diagnosticHeaders } from '../inference/surface.ts';
import type { Measured } from '../pricing/index.ts';
import { FAMILIES } from '../routes.ts';
import type { IdempotencyStore } from '../stores/idempotency.ts';
import { fromStored, toHttpResult, toStored, withHeaders, type MediaAnswer } from './answer.ts';

export interface PaidModel {
  readonly publicId: string;
  readonly provider: ProviderId;
  readonly wireModel: string;
}

export interface PaidCall {
  readonly http: HttpRequest;
  readonly billing: Billing;
  readonly surface: Surface;
  readonly idempotency: IdempotencyStore;
  readonly model: PaidModel;
  readonly price: PriceContext;
  /** The request as it matters for idempotency (parsed fields, file digests): the same call always gives the same text. */
  readonly fingerprint: string;
  readonly deadlineMs: number;
}

export interface Served {
  readonly answer: MediaAnswer;
  /** What the call consumed; each must stay within the quote's bounds. */
  readonly measured: readonly Measured[];
}

export type Serve = (options: CallOptions, caller: Caller) => Promise<Served>;

/** The external family streams its responses; the native media family answers buffered. */
const streams = (surface: Surface): boolean => (surface === 'external' ? FAMILIES.external.streaming : FAMILIES.media.streaming);

const routingHeaders = (model: PaidModel, attempts: number): Record<string, string> => ({
  'x-routing-primary-model': model.publicId,
  'x-routing-final-model': model.publicId,
  'x-routing-attempts': String(attempts),
  'x-routing-fallback-used': 'false',
});

/** A deadline that fired is the provider's slowness (504), not a gateway fault. */
const deadlineError = (error: unknown, signal: AbortSignal): unknown =>
  signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError'
    ? new UpstreamError(504, 'upstream_timeout', 'The provider did not answer in time.', { cause: error })
    : error;

/** External clients are told where a failed call was routed, as on answers (the diagnostic headers). */
const withDiagnostics = (error: unknown, call: PaidCall): unknown => {
  const diagnostics = diagnosticHeaders(call.surface, { ...call.model, row: {} });
  if (!(error instanceof UpstreamError) || Object.keys(diagnostics).length === 0) return error;
  return new UpstreamError(error.status, error.code, error.message, {
    headers: { ...error.headers, ...diagnostics },
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
};

const run = async (call: PaidCall, payment: Payment, caller: Caller, serve: Serve): Promise<MediaAnswer> => {
  let attempts = 1;
  // A cleared timer rather than AbortSignal.timeout, which would keep every finished call's signal alive until
  // its deadline (minutes) passed.
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new DOMException('The provider call exceeded its time limit.', 'TimeoutError')), call.deadlineMs);
  deadline.unref();
  const { signal } = controller;
  const options: CallOptions = { signal, requestId: call.http.requestId, onRetry: () => void (attempts += 1) };
  let served: Served;
  try {
    served = await serve(options, caller);
  } catch (error) {
    await payment.finalize({ kind: 'failed' }).catch(() => undefined);
    throw withDiagnostics(deadlineError(error, signal), call);
  } finally {
    clearTimeout(deadline);
  }
  const settled = await payment.finalize({ kind: 'served', measured: served.measured });
  const native = call.surface === 'native';
  return withHeaders(served.answer, {
    ...routingHeaders(call.model, attempts),
    ...diagnosticHeaders(call.surface, { ...call.model, row: {} }),
    ...(native ? settled.headers : {}),
  });
};

export const servePaid = async (call: PaidCall, serve: Serve): Promise<HttpResult> => {
  const { http, surface } = call;
  const payer = await call.billing.identify(http, surface);
  const replay = (onReplay: () => void, serveOnce: Parameters<typeof idempotently>[4]) =>
    idempotently(http, payer.caller, call.fingerprint, call.idempotency, serveOnce, onReplay);
  const finish = (result: HttpResult): HttpResult =>
    result.headers?.['idempotent-replayed'] === 'true' ? toHttpResult(fromStored(result as { statusCode: number; headers: Record<string, string>; body: string }), streams(surface)) : result;

  let payment: Payment;
  try {
    payment = await payer.charge(call.price);
  } catch (refusal) {
    // As on the text routes: a proven caller resending an answered call is owed its stored answer, paid or not.
    if (http.headers['x-idempotency-key'] === undefined || payer.caller.id === 'anonymous' || toComposeError(refusal).status !== 402) throw refusal;
    return finish(await replay(() => undefined, () => Promise.reject(refusal)));
  }
  let replayed = false;
  try {
    const result = await replay(
      () => void (replayed = true),
      async (onFinished) => {
        const answer = await run(call, payment, payer.caller, serve);
        await onFinished?.(toStored(answer));
        return toHttpResult(answer, streams(surface));
      },
    );
    if (replayed) await payment.release();
    return finish(result);
  } catch (error) {
    await payment.release().catch(() => undefined);
    throw error;
  }
};
