/**
 * One upstream call with retries, for every provider adapter.
 * - Retries 408/429/5xx answers and connection failures with backoff, honouring `Retry-After`.
 * - Every retry happens before the caller holds a single byte of the body: an attempt ends when the first
 *   body chunk has arrived (see `withFirstChunk`); after that the response is the caller's, failures included.
 * - Each attempt has its own timeout up to that first byte; the caller's signal aborts everything at once.
 */
import { ComposeError, UpstreamError } from '../../core/errors.ts';
import { withFirstChunk } from './first-byte.ts';
import { nodeFetch } from './node-fetch.ts';
import { discardBody, type ProviderFetch, type ProviderResponse } from './provider-response.ts';
import { DEFAULT_BACKOFF, backoffDelay, parseRetryAfter, shouldRetryResponse, type BackoffSettings } from './retry-policy.ts';
import { abortReason, sleep } from './sleep.ts';
import { UPSTREAM_CODES } from './upstream-error.ts';
import { cleanupFailed } from '../../core/observability/index.ts';

export interface RetryInfo {
  /** 1 for the first retry (the second attempt). */
  readonly retry: number;
  readonly delayMs: number;
  /** `status 429`, `timeout`, `connection error`. */
  readonly reason: string;
}

export interface FetchWithRetryOptions {
  /** The caller's signal: client gone, cancel, or deadline. Aborting it stops every attempt and every wait. */
  readonly signal: AbortSignal;
  /** The transport; by default `nodeFetch` (Node's HTTP client behind fetch's shape, node-fetch.ts). */
  readonly fetch?: ProviderFetch;
  /** Retries after the first attempt. */
  readonly maxRetries?: number;
  /** Per attempt, from sending the request to the first body byte. */
  readonly timeoutMs?: number;
  readonly backoff?: BackoffSettings;
  /** A provider asking for a longer wait than this is not retried: its answer (and Retry-After) goes back. */
  readonly maxRetryAfterMs?: number;
  readonly random?: () => number;
  readonly onRetry?: (info: RetryInfo) => void;
}

export const FETCH_DEFAULTS = { maxRetries: 2, timeoutMs: 120_000, maxRetryAfterMs: 30_000 } as const;

type Attempt =
  | { readonly kind: 'response'; readonly response: ProviderResponse }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'connection'; readonly error: unknown };

/** `isAnswer`: whether an answer is the caller's (not retried): its first body byte is then part of the attempt. */
const attempt = async (url: string, init: RequestInit, options: FetchWithRetryOptions, timeoutMs: number, isAnswer: (response: ProviderResponse) => boolean): Promise<Attempt> => {
  const fetchImpl = options.fetch ?? nodeFetch;
  const attemptController = new AbortController();
  // A cleared timer, not AbortSignal.timeout: that one cannot be cancelled and keeps its signal alive until it
  // fires, which at a 120 s timeout holds memory for every request long after it finished.
  const deadline = setTimeout(() => attemptController.abort(new DOMException('The attempt timed out.', 'TimeoutError')), timeoutMs);
  const signal = AbortSignal.any([options.signal, attemptController.signal]);
  try {
    const response = await fetchImpl(url, { ...init, signal });
    // Error answers handed on too: a provider that sends an error status and then nothing would otherwise leave the
    // adapter reading its error body under nothing but the call's deadline (minutes), its client waiting all along.
    // An answer to be retried is dropped unread: its body is not waited for.
    return { kind: 'response', response: isAnswer(response) ? await withFirstChunk(response) : response };
  } catch (error) {
    if (options.signal.aborted) throw abortReason(options.signal);
    if (attemptController.signal.aborted) return { kind: 'timeout' };
    // A request body whose own source failed (an upload replaced while it was read: 409 upload_changed) is not
    // the provider being unreachable, and sending it again cannot help: its error stands as it is.
    if ((error as { cause?: unknown } | null)?.cause instanceof ComposeError) throw (error as { cause: ComposeError }).cause;
    return { kind: 'connection', error };
  } finally {
    clearTimeout(deadline);
  }
};

/**
 * Resolves with the final answer: a success, a non-retryable failure, or the last retryable failure once
 * retries are spent (its body unread but for its first chunk, for the adapter's error parser). Rejects with `upstream_timeout` (504)
 * or `upstream_unavailable` (502) when no attempt got an answer, or with the abort reason when the caller aborts.
 */
export const fetchWithRetry = async (url: string, init: Omit<RequestInit, 'signal'>, options: FetchWithRetryOptions): Promise<ProviderResponse> => {
  const maxRetries = options.maxRetries ?? FETCH_DEFAULTS.maxRetries;
  const timeoutMs = options.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? FETCH_DEFAULTS.maxRetryAfterMs;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;

  for (let retry = 0; ; retry += 1) {
    if (options.signal.aborted) throw abortReason(options.signal);
    const retriesLeft = retry < maxRetries;
    const isAnswer = (response: ProviderResponse): boolean =>
      response.ok || !retriesLeft || !shouldRetryResponse(response.status, response.headers) || (parseRetryAfter(response.headers) ?? 0) > maxRetryAfterMs;
    const outcome = await attempt(url, init, options, timeoutMs, isAnswer);

    let delayMs = backoffDelay(retry, backoff, options.random);
    let reason: string;
    if (outcome.kind === 'response') {
      const { response } = outcome;
      if (isAnswer(response)) return response;
      const requested = parseRetryAfter(response.headers);
      if (requested !== undefined) delayMs = requested;
      reason = `status ${response.status}`;
      await discardBody(response).catch(cleanupFailed('cancelling the provider response body'));
    } else if (!retriesLeft) {
      throw outcome.kind === 'timeout'
        ? new UpstreamError(504, UPSTREAM_CODES.timeout, 'The provider did not answer in time.')
        : new UpstreamError(502, UPSTREAM_CODES.unavailable, 'The provider could not be reached.', { cause: outcome.error });
    } else {
      reason = outcome.kind === 'timeout' ? 'timeout' : 'connection error';
    }

    options.onRetry?.({ retry: retry + 1, delayMs, reason });
    await sleep(delayMs, options.signal);
  }
};
