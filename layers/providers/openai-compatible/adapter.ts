/**
 * The OpenAI-compatible family's adapter: one implementation of `TextModelAdapter`, parameterised by a
 * provider profile (URL, auth, quirks) and an injected transport (base URL, lazy key, fetch, retry budget).
 */
import { UpstreamError } from '../../../shared/errors.ts';
import { decodeSse, parseJsonEvents } from '../../../shared/sse/decode.ts';
import { fetchWithRetry } from '../http/fetch-with-retry.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { CallOptions, CanonicalRequest, ProviderTransport, StreamPart, TextModelAdapter } from '../types.ts';
import { streamErrorFromBody, upstreamErrorFromResponse, type ErrorContext } from './error-parsing.ts';
import type { OpenAICompatibleProfile } from './profile.ts';
import { buildChatBody } from './request-body.ts';
import { responseToParts } from './response-parts.ts';
import { createChatStreamStage } from './stream-stage.ts';

interface Answer {
  readonly response: Response;
  readonly context: ErrorContext;
}

const warningParts = (warnings: readonly string[]): StreamPart[] => warnings.map((message) => ({ type: 'warning', message }));

const isJsonResponse = (response: Response): boolean => (response.headers.get('content-type') ?? '').includes('application/json');

/** A 200 whose body is an error object (some providers do this) is still a failure. */
const throwIfErrorBody = (value: unknown, context: ErrorContext): void => {
  if (typeof value !== 'object' || value === null || !('error' in value) || 'choices' in value) return;
  const error = streamErrorFromBody(value, context);
  throw new UpstreamError(error.status ?? 502, error.code, error.message);
};

const readJson = async (response: Response, signal: AbortSignal): Promise<unknown> => {
  try {
    return await response.json();
  } catch (error) {
    if (signal.aborted) throw error;
    throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The provider sent an unreadable response.', { cause: error });
  }
};

/** Parts as they arrive; a connection lost mid-stream (or the caller's abort) ends with an `error` part. */
async function* streamedParts(leading: readonly StreamPart[], parts: AsyncIterable<StreamPart> | Iterable<StreamPart>, signal: AbortSignal): AsyncGenerator<StreamPart> {
  yield* leading;
  try {
    for await (const part of parts) yield part;
  } catch {
    yield signal.aborted
      ? { type: 'error', error: { code: UPSTREAM_CODES.aborted, message: 'The request was cancelled.' } }
      : { type: 'error', error: { status: 502, code: UPSTREAM_CODES.connectionLost, message: 'The connection to the provider was lost mid-stream.' } };
  }
}

/** A collected stream that failed fails the whole non-streamed call. */
const throwIfFailed = (parts: readonly StreamPart[]): void => {
  const failure = parts.find((part) => part.type === 'error');
  if (failure?.type === 'error') throw new UpstreamError(failure.error.status ?? 502, failure.error.code, failure.error.message);
};

export const createOpenAICompatibleAdapter = (profile: OpenAICompatibleProfile, transport: ProviderTransport): TextModelAdapter => {
  const baseURL = transport.baseURL.replace(/\/+$/, '');

  const send = async (body: Record<string, unknown>, options: CallOptions): Promise<Answer> => {
    const apiKey = await transport.apiKey();
    const context: ErrorContext = { provider: profile.provider, knownSecrets: [apiKey] };
    const url = profile.chatCompletionsURL({ baseURL, model: String(body['model']), options: transport.options ?? {} });
    const response = await fetchWithRetry(
      url,
      {
        method: 'POST',
        headers: {
          ...profile.authHeaders(apiKey),
          'content-type': 'application/json',
          accept: body['stream'] === true ? 'text/event-stream' : 'application/json',
          'x-client-request-id': options.requestId,
        },
        body: JSON.stringify(body),
      },
      {
        signal: options.signal,
        ...(transport.fetch ? { fetch: transport.fetch } : {}),
        ...(transport.timeoutMs !== undefined ? { timeoutMs: transport.timeoutMs } : {}),
        ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      },
    );
    if (!response.ok) throw await upstreamErrorFromResponse(response, context);
    return { response, context };
  };

  const stream = async (request: CanonicalRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> => {
    const { body, warnings } = buildChatBody(request, profile, true);
    const { response, context } = await send(body, options);
    const leading = warningParts(warnings);
    // A provider that ignored `stream: true` answered with one JSON body: replay it as parts.
    if (isJsonResponse(response) || response.body === null) {
      const value = await readJson(response, options.signal);
      throwIfErrorBody(value, context);
      return streamedParts(leading, responseToParts(value), options.signal);
    }
    const parts = decodeSse(response.body).pipeThrough(parseJsonEvents<unknown>()).pipeThrough(createChatStreamStage(context));
    return streamedParts(leading, parts, options.signal);
  };

  const generate = async (request: CanonicalRequest, options: CallOptions): Promise<StreamPart[]> => {
    const { body, warnings } = buildChatBody(request, profile, false);
    if (profile.mustStream?.(body) === true) {
      const parts: StreamPart[] = [];
      for await (const part of await stream(request, options)) parts.push(part);
      throwIfFailed(parts);
      return parts;
    }
    const { response, context } = await send(body, options);
    const value = await readJson(response, options.signal);
    throwIfErrorBody(value, context);
    return [...warningParts(warnings), ...responseToParts(value)];
  };

  return { provider: profile.provider, generate, stream };
};
