/**
 * One media request to the provider: the endpoint from the profile, the key read at call time, retries before
 * the first byte (fetch-with-retry), and any non-2xx answer turned into the gateway's typed upstream error.
 */
import { UpstreamError } from '../../../core/errors.ts';
import { fetchWithRetry } from '../../http/fetch-with-retry.ts';
import { fetchSending, isFormData, isStreamedBody, type StreamedBody } from '../../http/streamed-body.ts';
import { UPSTREAM_CODES } from '../../http/upstream-error.ts';
import { upstreamErrorFromResponse, type ErrorContext } from '../../openai-compatible/error-parsing.ts';
import type { CallOptions, ProviderTransport } from '../../types.ts';
import type { MediaPath, OpenAIMediaProfile } from './profile.ts';
import type { ProviderResponse } from '../../http/provider-response.ts';

/** A complete media answer is the whole generation (an image can take a minute), so the first byte may be late. */
const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 240_000;

/** Providers may log it for support; only a printable-ASCII id is a valid header value. */
const traceHeader = (requestId: string): Record<string, string> => (/^[\x21-\x7e]{1,512}$/.test(requestId) ? { 'x-client-request-id': requestId } : {});

export interface MediaSender {
  /** POSTs JSON or a multipart form (in memory, or streamed); resolves with a 2xx response whose body the caller reads. */
  post(path: MediaPath, model: string, body: Record<string, unknown> | FormData | StreamedBody, options: CallOptions): Promise<{ response: ProviderResponse; context: ErrorContext }>;
}

export const createMediaSender = (profile: OpenAIMediaProfile, transport: ProviderTransport): MediaSender => {
  const baseURL = transport.baseURL.replace(/\/+$/, '');
  return {
    post: async (path, model, body, options) => {
      if (baseURL === '') throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${profile.provider} provider has no endpoint configured on this gateway.`);
      const apiKey = await transport.apiKey();
      const context: ErrorContext = { provider: profile.provider, knownSecrets: [apiKey] };
      const url = profile.endpointURL({ baseURL, path, model, options: transport.options ?? {} });
      const streamed = isStreamedBody(body) ? body : undefined;
      const json = !streamed && !isFormData(body);
      const fetch = streamed ? fetchSending(streamed, transport.fetch) : transport.fetch;
      const response = await fetchWithRetry(
        url,
        {
          method: 'POST',
          // A FormData body sets its own multipart content type, boundary included; a streamed one is sent by `fetch`.
          headers: { ...profile.authHeaders(apiKey), ...(json ? { 'content-type': 'application/json' } : {}), ...traceHeader(options.requestId) },
          ...(streamed ? {} : { body: json ? JSON.stringify(body) : (body as FormData) }),
        },
        {
          signal: options.signal,
          ...(fetch ? { fetch } : {}),
          timeoutMs: transport.timeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS,
          ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
          ...(options.onRetry ? { onRetry: options.onRetry } : {}),
        },
      );
      if (!response.ok) throw await upstreamErrorFromResponse(response, context);
      return { response, context };
    },
  };
};
