/**
 * What every paid call does around its provider call, answered once or streamed, text or media: a deadline
 * that aborts it, a client hang-up that stops it, a cancel or a stop that ends it early, the routing headers of
 * where it went, and errors that say a deadline fired and (externally) where the call was routed.
 */
import type { CallOptions } from '../../layers/providers/types.ts';
import { ClientClosedError, UpstreamError } from '../../layers/core/errors.ts';
import { logMoneyFailure } from '../billing/log.ts';
import type { Payment } from '../billing/types.ts';
import type { HttpRequest } from '../http/request.ts';
import { describeError, logger } from '../../layers/core/observability/index.ts';
import type { ResolvedModel } from './resolved-model.ts';
import { diagnosticHeaders, type Surface } from './surface.ts';

/** Where a call was routed: what its headers and errors name. */
export type CalledModel = Pick<ResolvedModel, 'publicId' | 'provider' | 'wireModel'>;

/** The call was cancelled through its stored record (`POST /v1/responses/{id}/cancel`). */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

/** The answer is over before the provider's (an error part, the output cap): nothing more is read or owed. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

export interface ProviderCall {
  readonly options: CallOptions;
  readonly signal: AbortSignal;
  /** Provider attempts so far (retries before the first byte included). */
  attempts(): number;
  /** Stops the deadline timer and the hang-up watch (the call answered; nothing is aborted). */
  clearDeadline(): void;
  /** Stops the deadline timer and aborts whatever upstream is still running (a call that is over). */
  end(): void;
  /** Aborts the provider because the client hung up (`ClientClosedError`). */
  hangUp(): void;
  /** Aborts the provider because the call was cancelled: `cancelled()` says so from then on. */
  cancel(): void;
  /** Aborts the provider because the answer is over (`StoppedError`). */
  stop(): void;
  cancelled(): boolean;
}

/**
 * Why a call that is over aborts whatever upstream may still run: one reason shared by every call, since nobody
 * is left to read it, and a fresh `DOMException` per call (what a bare `abort()` makes) costs microseconds of CPU.
 */
const CALL_OVER: Error = Object.assign(new Error('The provider call is over.'), { name: 'AbortError' });

/**
 * A cleared timer rather than AbortSignal.timeout, which would keep every finished call's signal alive until
 * its deadline (minutes) passed.
 */
export const startProviderCall = (http: Pick<HttpRequest, 'requestId' | 'clientGone'>, deadlineMs: number): ProviderCall => {
  let attempts = 1;
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new DOMException('The provider call exceeded its time limit.', 'TimeoutError')), deadlineMs);
  deadline.unref();
  const { signal } = controller;
  // A client that hangs up stops the provider at once (where the runtime can tell; see HttpRequest.clientGone):
  // nothing more is generated, or owed, for nobody.
  const hangUp = () => controller.abort(new ClientClosedError());
  http.clientGone?.addEventListener('abort', hangUp, { once: true });
  const stopWatching = () => {
    clearTimeout(deadline);
    http.clientGone?.removeEventListener('abort', hangUp);
  };
  return {
    options: { signal, requestId: http.requestId, onRetry: () => void (attempts += 1) },
    signal,
    attempts: () => attempts,
    clearDeadline: stopWatching,
    end: () => {
      stopWatching();
      controller.abort(CALL_OVER);
    },
    hangUp,
    cancel: () => controller.abort(new CancelledError()),
    stop: () => controller.abort(new StoppedError()),
    cancelled: () => signal.reason instanceof CancelledError,
  };
};

export const routingHeaders = (model: CalledModel, attempts: number): Record<string, string> => ({
  'x-routing-primary-model': model.publicId,
  'x-routing-final-model': model.publicId,
  'x-routing-attempts': String(attempts),
  'x-routing-fallback-used': 'false',
});

/** Routing headers, and externally the diagnostic headers of where the call went. */
export const answerHeaders = (call: ProviderCall, surface: Surface, model: CalledModel): Record<string, string> => ({
  ...routingHeaders(model, call.attempts()),
  ...diagnosticHeaders(surface, model),
});

export const timedOut = (signal: AbortSignal): boolean => signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';

/** A deadline that fired is the provider's slowness (504), not a gateway fault; nor is a client that hung up. */
export const deadlineError = (error: unknown, signal: AbortSignal): unknown => {
  if (timedOut(signal)) return new UpstreamError(504, 'upstream_timeout', 'The provider did not answer in time.', { cause: error });
  return signal.reason instanceof ClientClosedError ? signal.reason : error;
};

/** External clients are told where a failed call was routed, as on answers (the diagnostic headers). */
export const withDiagnostics = (error: unknown, surface: Surface, model: CalledModel): unknown => {
  const diagnostics = diagnosticHeaders(surface, model);
  if (!(error instanceof UpstreamError) || Object.keys(diagnostics).length === 0) return error;
  return new UpstreamError(error.status, error.code, error.message, {
    headers: { ...error.headers, ...diagnostics },
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
};

/** What a provider call that failed before answering is to its client: an HTTP error that says why. */
export const failureBeforeAnswer = (error: unknown, call: ProviderCall, surface: Surface, model: CalledModel): unknown =>
  withDiagnostics(deadlineError(error, call.signal), surface, model);

/** A paid call, as far as a failure before its answer concerns it. */
export interface PaidProviderCall {
  readonly http: Pick<HttpRequest, 'requestId'>;
  readonly payment: Payment;
  readonly surface: Surface;
  readonly model: CalledModel;
}

/**
 * The provider failed before answering: nothing upstream keeps running, the hold is released (nothing was
 * served), `then` runs (e.g. to record the failure; it never throws), and the client gets an HTTP error that
 * says why (`failureBeforeAnswer`).
 */
export const failBeforeAnswer = async (error: unknown, call: ProviderCall, paid: PaidProviderCall, then?: (error: unknown) => Promise<void>): Promise<never> => {
  const failure = failureBeforeAnswer(error, call, paid.surface, paid.model);
  call.end();
  await paid.payment.finalize({ kind: 'failed' }).catch(logMoneyFailure(paid.http, paid.payment.caller, 'release'));
  await then?.(error);
  throw failure;
};

/**
 * Lambda instances share nothing, so a cancel reaches the generating instance through the stored record: it is
 * polled every `pollMs`, and a recorded cancel aborts the provider (`call.cancel()`).
 */
export const watchForCancel = (call: ProviderCall, requested: () => Promise<boolean>, pollMs: number, context: Readonly<Record<string, unknown>>) => {
  const timer = setInterval(() => {
    requested()
      .then((cancelled) => {
        if (cancelled) call.cancel();
      })
      .catch((error: unknown) => logger.warn('cancel poll failed', { ...context, error: describeError(error) }));
  }, pollMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};
