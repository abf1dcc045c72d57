/**
 * What every paid media call does around its provider call, answered once or streamed: a deadline that aborts
 * it, the routing headers of where it went, and errors that say a deadline fired and (externally) where the
 * call was routed.
 */
import type { CallOptions } from '../../layers/providers/types.ts';
import type { Surface } from '../billing/types.ts';
import { ClientClosedError, UpstreamError } from '../../layers/core/errors.ts';
import type { HttpRequest } from '../http/request.ts';
import { diagnosticHeaders } from '../calls/surface.ts';
import type { PaidModel } from './paid.ts';

export interface ProviderCall {
  readonly options: CallOptions;
  readonly signal: AbortSignal;
  /** Provider attempts so far (retries before the first byte included). */
  attempts(): number;
  /** Stops the deadline timer (the call answered in time). */
  clearDeadline(): void;
  /** Stops the deadline timer and aborts whatever upstream is still running (a stream that is over). */
  end(): void;
}

/**
 * A cleared timer rather than AbortSignal.timeout, which would keep every finished call's signal alive until
 * its deadline (minutes) passed.
 */
export const startProviderCall = (http: HttpRequest, deadlineMs: number): ProviderCall => {
  let attempts = 1;
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new DOMException('The provider call exceeded its time limit.', 'TimeoutError')), deadlineMs);
  deadline.unref();
  const { signal } = controller;
  // A client that hangs up stops the provider at once (where the runtime can tell; see HttpRequest.clientGone).
  const hangUp = () => controller.abort(new ClientClosedError());
  http.clientGone?.addEventListener('abort', hangUp, { once: true });
  const stop = () => {
    clearTimeout(deadline);
    http.clientGone?.removeEventListener('abort', hangUp);
  };
  return {
    options: { signal, requestId: http.requestId, onRetry: () => void (attempts += 1) },
    signal,
    attempts: () => attempts,
    clearDeadline: stop,
    end: () => {
      stop();
      controller.abort();
    },
  };
};

export const routingHeaders = (model: PaidModel, attempts: number): Record<string, string> => ({
  'x-routing-primary-model': model.publicId,
  'x-routing-final-model': model.publicId,
  'x-routing-attempts': String(attempts),
  'x-routing-fallback-used': 'false',
});

export const surfaceHeaders = (surface: Surface, model: PaidModel): Record<string, string> => diagnosticHeaders(surface, { ...model, row: {} });

export const timedOut = (signal: AbortSignal): boolean => signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError';

/** A deadline that fired is the provider's slowness (504), not a gateway fault; nor is a client that hung up. */
export const deadlineError = (error: unknown, signal: AbortSignal): unknown => {
  if (timedOut(signal)) return new UpstreamError(504, 'upstream_timeout', 'The provider did not answer in time.', { cause: error });
  return signal.reason instanceof ClientClosedError ? signal.reason : error;
};

/** External clients are told where a failed call was routed, as on answers (the diagnostic headers). */
export const withDiagnostics = (error: unknown, surface: Surface, model: PaidModel): unknown => {
  const diagnostics = surfaceHeaders(surface, model);
  if (!(error instanceof UpstreamError) || Object.keys(diagnostics).length === 0) return error;
  return new UpstreamError(error.status, error.code, error.message, {
    headers: { ...error.headers, ...diagnostics },
    ...(error.details ? { details: error.details } : {}),
    cause: error,
  });
};
