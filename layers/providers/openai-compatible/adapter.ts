/**
 * The OpenAI-compatible family's adapter: one implementation of `TextModelAdapter`, parameterised by a
 * provider profile (URL, auth, quirks) and an injected transport (base URL, lazy key, fetch, retry budget).
 */
import { UpstreamError } from '../../core/errors.ts';
import { decodeJsonSse } from '../../core/sse/decode.ts';
import { fetchWithRetry } from '../http/fetch-with-retry.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { CallOptions, CanonicalRequest, ProviderTransport, StreamPart, TextModelAdapter } from '../types.ts';
import { upstreamErrorFromResponse, type ErrorContext } from './error-parsing.ts';
import type { OpenAICompatibleProfile } from './profile.ts';
import { buildChatBody } from './request-body.ts';
import { isJsonResponse, readJson, streamedParts, streamFailure, throwIfErrorBody, throwIfFailed, warningParts } from './read-answer.ts';
import { responseToParts } from './response-parts.ts';
import { chatStreamStage } from './stream-stage.ts';
import { bodyChunks, type ProviderResponse } from '../http/provider-response.ts';

interface Answer {
  readonly response: ProviderResponse;
  readonly context: ErrorContext;
}

/** Providers may log it for support; only a printable-ASCII id is a valid header value. */
const traceHeader = (requestId: string): Record<string, string> => (/^[\x21-\x7e]{1,512}$/.test(requestId) ? { 'x-client-request-id': requestId } : {});

/** Streams show their first byte early; a complete body's first byte is the whole generation, so it gets longer. */
const DEFAULT_FIRST_BYTE_TIMEOUT_MS = { stream: 120_000, complete: 600_000 } as const;

export const createOpenAICompatibleAdapter = (profile: OpenAICompatibleProfile, transport: ProviderTransport): TextModelAdapter => {
  const baseURL = transport.baseURL.replace(/\/+$/, '');

  const send = async (body: Record<string, unknown>, options: CallOptions): Promise<Answer> => {
    if (baseURL === '') throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${profile.provider} provider has no endpoint configured on this gateway.`);
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
          ...traceHeader(options.requestId),
        },
        body: JSON.stringify(body),
      },
      {
        signal: options.signal,
        ...(transport.fetch ? { fetch: transport.fetch } : {}),
        timeoutMs: transport.timeoutMs ?? (body['stream'] === true ? DEFAULT_FIRST_BYTE_TIMEOUT_MS.stream : DEFAULT_FIRST_BYTE_TIMEOUT_MS.complete),
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
    const chunks = bodyChunks(response);
    if (isJsonResponse(response) || chunks === null) {
      const value = await readJson(response, options.signal);
      throwIfErrorBody(value, context);
      return streamedParts(leading, responseToParts(value), options.signal);
    }
    const { signal } = options;
    // The warnings, the abort check and a lost connection as a last part, in the decoder's own hop.
    return decodeJsonSse(chunks, chatStreamStage(context), { leading, signal, failed: () => streamFailure(signal) });
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
