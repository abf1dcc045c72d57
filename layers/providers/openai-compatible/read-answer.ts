/**
 * Reading a provider's answer into parts: complete JSON bodies (a 200 can still carry an error), streams
 * whose failures after the first byte become `error` parts, and collected streams that fail as a whole.
 */
import { UpstreamError } from '../../core/errors.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { StreamPart } from '../types.ts';
import { streamErrorFromBody, type ErrorContext } from './error-parsing.ts';
import type { ProviderResponse } from '../http/provider-response.ts';

export const warningParts = (warnings: readonly string[]): StreamPart[] => warnings.map((message) => ({ type: 'warning', message }));

export const isJsonResponse = (response: ProviderResponse): boolean => (response.headers.get('content-type') ?? '').includes('application/json');

/** A 200 whose body is an error object (some providers do this) is still a failure. */
export const throwIfErrorBody = (value: unknown, context: ErrorContext): void => {
  if (typeof value !== 'object' || value === null || !('error' in value) || 'choices' in value) return;
  const error = streamErrorFromBody(value, context);
  throw new UpstreamError(error.status ?? 502, error.code, error.message);
};

export const readJson = async (response: ProviderResponse, signal: AbortSignal): Promise<unknown> => {
  try {
    return await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The provider sent an unreadable response.', { cause: error });
  }
};

/** How a stream that failed after its first byte ends: the caller's abort, or a connection lost mid-stream. */
export const streamFailure = (signal: AbortSignal): StreamPart =>
  signal.aborted
    ? { type: 'error', error: { code: UPSTREAM_CODES.aborted, message: 'The request was cancelled.' } }
    : { type: 'error', error: { status: 502, code: UPSTREAM_CODES.connectionLost, message: 'The connection to the provider was lost mid-stream.' } };

/**
 * Parts as they arrive; a failure while reading them (or the caller's abort) ends with `streamFailure`'s part. A
 * streamed body gets the same from `decodeJsonSse`'s options, without this generator around it.
 */
export async function* streamedParts(leading: readonly StreamPart[], parts: AsyncIterable<StreamPart> | Iterable<StreamPart>, signal: AbortSignal): AsyncGenerator<StreamPart> {
  yield* leading;
  try {
    for await (const part of parts) {
      // Parts parsed from the read that landed with the abort are no longer the caller's: it asked to stop.
      if (signal.aborted) throw signal.reason;
      yield part;
    }
  } catch {
    yield streamFailure(signal);
  }
}

/** A collected stream that failed fails the whole non-streamed call. */
export const throwIfFailed = (parts: readonly StreamPart[]): void => {
  const failure = parts.find((part) => part.type === 'error');
  if (failure?.type === 'error') throw new UpstreamError(failure.error.status ?? 502, failure.error.code, failure.error.message);
};
