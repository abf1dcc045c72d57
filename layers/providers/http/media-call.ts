/**
 * One upstream media call, shared by the media adapters: the transport's settings applied to `fetchWithRetry`,
 * a provider's error body turned into the gateway's `UpstreamError` by the provider's own describer, and the
 * readers media answers need (validated JSON, bounded bytes, base64 and data URLs, result URLs to download).
 * Wire formats stay in the provider folders; nothing here knows one.
 */
import type * as z from 'zod';
import { UpstreamError } from '../../core/errors.ts';
import type { CallOptions, ProviderId, ProviderTransport } from '../types.ts';
import { fetchWithRetry } from './fetch-with-retry.ts';
import { fetchSending, isStreamedBody, type StreamedBody } from './streamed-body.ts';
import { sleep } from './sleep.ts';
import { parseRetryAfter } from './retry-policy.ts';
import { looksLikeContentFilter, sanitizeUpstreamMessage } from './sanitize.ts';
import { UPSTREAM_CODES, upstreamError } from './upstream-error.ts';
import { discardBody, readErrorText, type ProviderResponse } from './provider-response.ts';
import { cleanupFailed } from '../../core/observability/index.ts';

/** A complete media body's first byte is the whole generation (an image, a transcript): it gets long. */
export const MEDIA_FIRST_BYTE_TIMEOUT_MS = 600_000;

/** The most a provider answer may hold in memory (a decoded image batch, a transcript, a downloaded result). */
export const MAX_MEDIA_ANSWER_BYTES = 64 * 1024 * 1024;

export interface ProviderErrorDescription {
  readonly message: string;
  /** The provider flagged a content-filter rejection by its code, whatever the text says. */
  readonly contentFilter?: boolean;
  /** The status the provider meant, where its HTTP status misleads (an auth failure sent as 400). */
  readonly status?: number;
}

/** Reads a provider's parsed error body (JSON value, or the raw text when it was not JSON). */
export type DescribeError = (body: unknown, status: number) => ProviderErrorDescription;

export interface MediaEndpoint {
  readonly provider: ProviderId;
  readonly transport: ProviderTransport;
  /** A non-2xx answer → the error to throw; `secrets` (the credential sent) must be redacted if echoed. */
  readonly toError: (response: ProviderResponse, secrets: readonly string[]) => Promise<UpstreamError>;
}

const parseText = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 2_000);
  }
};

/** `MediaEndpoint.toError` from a describer of the provider's error body: sanitized, classified, Retry-After kept. */
export const describedErrors =
  (provider: ProviderId, describe: DescribeError) =>
  async (response: ProviderResponse, secrets: readonly string[]): Promise<UpstreamError> => {
    const text = await readErrorText(response).catch(() => '');
    return errorFromDescription(provider, response, describe(parseText(text), response.status), secrets);
  };

const errorFromDescription = (provider: ProviderId, response: ProviderResponse, described: ProviderErrorDescription, secrets: readonly string[]): UpstreamError => {
  const contentFilter = described.contentFilter === true || looksLikeContentFilter(described.message);
  const retryAfterMs = response.status === 429 ? parseRetryAfter(response.headers) : undefined;
  return upstreamError({
    provider,
    providerStatus: described.status ?? response.status,
    message: sanitizeUpstreamMessage(described.message, { contentFilter, knownSecrets: secrets }),
    contentFilter,
    ...(retryAfterMs !== undefined ? { retryAfterSeconds: retryAfterMs / 1000 } : {}),
  });
};

export interface MediaRequestInit {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** A `StreamedBody` (a file too large to hold) is opened afresh for each attempt and sent with its length. */
  readonly body?: string | Uint8Array | FormData | StreamedBody;
}

/**
 * Sends one request with the transport's retry and timeout settings and returns the successful response;
 * any other answer becomes an `UpstreamError`. `secrets` are the credential values this request carries.
 */
export const sendMedia = async (endpoint: MediaEndpoint, url: string, init: MediaRequestInit, options: CallOptions, secrets: readonly string[]): Promise<ProviderResponse> => {
  const { transport } = endpoint;
  const streamed = isStreamedBody(init.body) ? init.body : undefined;
  const fetch = streamed ? fetchSending(streamed, transport.fetch) : transport.fetch;
  const body = streamed || init.body === undefined ? {} : { body: init.body as NonNullable<RequestInit['body']> };
  const response = await fetchWithRetry(
    url,
    { method: init.method ?? 'POST', ...(init.headers ? { headers: { ...init.headers } } : {}), ...body },
    {
      signal: options.signal,
      ...(fetch ? { fetch } : {}),
      timeoutMs: transport.timeoutMs ?? MEDIA_FIRST_BYTE_TIMEOUT_MS,
      ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
      ...(options.onRetry ? { onRetry: options.onRetry } : {}),
    },
  );
  if (!response.ok) throw await endpoint.toError(response, secrets);
  return response;
};

export const invalidAnswer = (provider: ProviderId, what: string, cause?: unknown): UpstreamError =>
  new UpstreamError(502, UPSTREAM_CODES.invalidResponse, `The ${provider} provider sent ${what}.`, cause === undefined ? undefined : { cause });

/** The body as bytes, refusing one larger than `maxBytes` (declared or actual). */
export const readBytes = async (response: ProviderResponse, provider: ProviderId, maxBytes: number = MAX_MEDIA_ANSWER_BYTES): Promise<Uint8Array> => {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(response).catch(cleanupFailed('cancelling the provider response body'));
    throw invalidAnswer(provider, 'an answer larger than the gateway accepts');
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > maxBytes) throw invalidAnswer(provider, 'an answer larger than the gateway accepts');
  return bytes;
};

/** The body parsed as JSON and validated against the provider's wire schema. */
export const readJsonAs = async <Schema extends z.ZodType>(response: ProviderResponse, schema: Schema, provider: ProviderId): Promise<z.infer<Schema>> => {
  const text = new TextDecoder().decode(await readBytes(response, provider));
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalidAnswer(provider, 'an unreadable response', error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidAnswer(provider, 'a response the gateway could not read', parsed.error);
  return parsed.data;
};

const DATA_URL = /^data:([^;,]+)?(?:;[^,]*)?;base64,/;

/** Base64 (or a base64 data URL) → bytes, and the media type a data URL names. */
export const decodeBase64 = (text: string): { readonly data: Uint8Array; readonly mediaType: string | undefined } => {
  const match = DATA_URL.exec(text);
  const payload = match ? text.slice(match[0].length) : text;
  return { data: new Uint8Array(Buffer.from(payload, 'base64')), mediaType: match?.[1] };
};

export const encodeBase64 = (data: Uint8Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/**
 * A result the provider hosts (a signed object-store URL) or inlines (a data URL) → bytes. Downloads carry no
 * credential: the URL itself is the capability. Redirects are followed, as the global fetch would. Failures are the provider's (502), never the client's.
 */
export const fetchResult = async (endpoint: MediaEndpoint, url: string, options: CallOptions): Promise<{ readonly data: Uint8Array; readonly mediaType: string | undefined }> => {
  if (url.startsWith('data:')) return decodeBase64(url);
  if (!/^https?:\/\//i.test(url)) throw invalidAnswer(endpoint.provider, 'a result location the gateway cannot fetch');
  const { transport } = endpoint;
  // A signed result URL often redirects to its CDN; the default transport follows a GET's redirects when asked.
  const response = await fetchWithRetry(url, { method: 'GET', redirect: 'follow' }, {
    signal: options.signal,
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
    ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
  });
  if (!response.ok) {
    await discardBody(response).catch(cleanupFailed('cancelling the provider response body'));
    throw new UpstreamError(502, UPSTREAM_CODES.unavailable, `The ${endpoint.provider} provider's result could not be downloaded.`, {
      details: { upstream_status: response.status, provider: endpoint.provider },
    });
  }
  const data = await readBytes(response, endpoint.provider);
  return { data, mediaType: response.headers.get('content-type')?.split(';')[0]?.trim() || undefined };
};

/** The transport's base URL without a trailing slash; none configured is the gateway's fault (503). */
export const requireBaseURL = (transport: ProviderTransport, provider: ProviderId, fallback?: string): string => {
  const baseURL = (transport.baseURL || fallback || '').replace(/\/+$/, '');
  if (baseURL === '') throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider has no endpoint configured on this gateway.`);
  return baseURL;
};

/** A provider setting the transport must carry (Cloudflare's account id). */
export const requireTransportOption = (transport: ProviderTransport, name: string, provider: ProviderId): string => {
  const value = transport.options?.[name];
  if (value === undefined || value === '') {
    throw new UpstreamError(503, UPSTREAM_CODES.notConfigured, `The ${provider} provider is missing its "${name}" setting on this gateway.`);
  }
  return value;
};

/** The response body as a stream (speech); a body-less success is an empty stream. */
export const bodyStream = (response: ProviderResponse): ReadableStream<Uint8Array> => response.body ?? new ReadableStream({ start: (controller) => controller.close() });

/** The content type without parameters, lower-cased. */
export const contentTypeOf = (response: ProviderResponse): string => (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** Runs `task` over `items` with at most `limit` in flight, keeping order (providers that take one input per call). */
export const mapLimited = async <T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

export interface PollSettings {
  /** Between two status checks. */
  readonly intervalMs: number;
  /** The longest the adapter waits for a provider task before giving up with 504. */
  readonly timeoutMs: number;
}

/**
 * Checks a provider task until `check` returns a value (done) or throws (failed), waiting `intervalMs` between
 * checks; the caller's abort stops the wait at once. For providers whose synchronous-looking operation is an
 * async task underneath (DashScope image tasks, FLUX Kontext requests).
 */
export const pollUntilDone = async <T>(provider: ProviderId, check: () => Promise<T | undefined>, settings: PollSettings, signal: AbortSignal): Promise<T> => {
  const deadline = Date.now() + settings.timeoutMs;
  for (;;) {
    const done = await check();
    if (done !== undefined) return done;
    if (Date.now() + settings.intervalMs > deadline) throw new UpstreamError(504, UPSTREAM_CODES.timeout, `The ${provider} provider did not finish the task in time.`);
    await sleep(settings.intervalMs, signal);
  }
};
