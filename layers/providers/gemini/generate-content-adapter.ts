/**
 * The generateContent protocol as a TextModelAdapter. Gemini and Vertex differ only in where they are
 * reached and how they authorize, so both build one of these from a `GenerateContentEndpoint`.
 */
import { decodeJsonSse, runEventStage, type ParsedEvent } from '../../core/sse/decode.ts';
import { fetchWithRetry } from '../http/fetch-with-retry.ts';
import type { CallOptions, CanonicalRequest, ProviderId, StreamPart, TextModelAdapter } from '../types.ts';
import { buildGenerateContentRequest } from './build-request.ts';
import { upstreamErrorFromResponse } from './errors.ts';
import { readParts } from './read-parts.ts';
import { geminiStreamStage } from './stream-stage.ts';
import { bodyChunks, NO_CHUNKS, readErrorText, type ProviderFetch, type ProviderResponse } from '../http/provider-response.ts';

export type GenerateContentMethod = 'generateContent' | 'streamGenerateContent';

export interface GenerateContentEndpoint {
  readonly provider: ProviderId;
  /** Full URL for one model and method; the streaming one must ask for SSE (`alt=sse`). */
  readonly url: (model: string, method: GenerateContentMethod) => string | Promise<string>;
  /** Auth headers, resolved per call so rotated keys and refreshed tokens apply. */
  readonly headers: () => Record<string, string> | Promise<Record<string, string>>;
  /** Forget cached credentials after a 401; the call is then sent once more with fresh headers. */
  readonly credentialsRejected?: () => void;
  readonly fetch?: ProviderFetch;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

interface Sent {
  readonly response: ProviderResponse;
  /** The credential values sent, to redact wherever the provider echoes them. */
  readonly secrets: readonly string[];
}

/** `Bearer ya29…` is echoed as either the whole value or the bare token. */
const secretsOf = (headers: Record<string, string>): string[] => Object.values(headers).flatMap((value) => [value, value.replace(/^Bearer\s+/i, '')]);

const send = async (endpoint: GenerateContentEndpoint, url: string, body: string, options: CallOptions): Promise<Sent> => {
  for (let reauthorized = false; ; reauthorized = true) {
    const auth = await endpoint.headers();
    // The gateway's request id travels upstream so provider-side logs can be joined with ours.
    const trace = /^[\x21-\x7e]{1,512}$/.test(options.requestId) ? { 'x-client-request-id': options.requestId } : {};
    const headers = { 'content-type': 'application/json', ...trace, ...auth };
    const response = await fetchWithRetry(url, { method: 'POST', headers, body }, {
      signal: options.signal,
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      ...(endpoint.fetch ? { fetch: endpoint.fetch } : {}),
      ...(endpoint.timeoutMs !== undefined ? { timeoutMs: endpoint.timeoutMs } : {}),
      ...(endpoint.maxRetries !== undefined ? { maxRetries: endpoint.maxRetries } : {}),
    });
    if (response.ok) return { response, secrets: secretsOf(auth) };
    const text = await readErrorText(response).catch(() => '');
    if (response.status === 401 && endpoint.credentialsRejected && !reauthorized) {
      endpoint.credentialsRejected();
      continue;
    }
    throw upstreamErrorFromResponse(endpoint.provider, response.status, text, secretsOf(auth));
  }
};

const parseBody = (text: string): ParsedEvent<unknown> => {
  try {
    return { ok: true, event: undefined, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, event: undefined, raw: text, error: error as Error };
  }
};

export const createGenerateContentAdapter = (endpoint: GenerateContentEndpoint): TextModelAdapter => ({
  provider: endpoint.provider,

  async generate(request: CanonicalRequest, options: CallOptions): Promise<StreamPart[]> {
    const { body, warnings } = buildGenerateContentRequest(request);
    const url = await endpoint.url(request.model, 'generateContent');
    const { response, secrets } = await send(endpoint, url, JSON.stringify(body), options);
    // One whole response goes through the streaming stage, so both paths yield identical parts.
    const parts = runEventStage([parseBody(await response.text())], geminiStreamStage(secrets));
    return [...warnings.map((message): StreamPart => ({ type: 'warning', message })), ...parts];
  },

  async stream(request: CanonicalRequest, options: CallOptions): Promise<AsyncIterable<StreamPart>> {
    const { body, warnings } = buildGenerateContentRequest(request);
    const url = await endpoint.url(request.model, 'streamGenerateContent');
    const { response, secrets } = await send(endpoint, url, JSON.stringify(body), options);
    const parts = decodeJsonSse(bodyChunks(response) ?? NO_CHUNKS, geminiStreamStage(secrets));
    return readParts(warnings, parts, options.signal);
  },
});
