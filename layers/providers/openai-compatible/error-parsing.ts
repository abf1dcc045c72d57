/**
 * Provider error bodies → the gateway's typed errors. Before the first byte a failure is thrown as an
 * `UpstreamError`; inside a stream the same classification becomes an `error` part.
 */
import type { UpstreamError } from '../../core/errors.ts';
import { parseRetryAfter } from '../http/retry-policy.ts';
import { looksLikeContentFilter, sanitizeUpstreamMessage } from '../http/sanitize.ts';
import { classifyUpstreamStatus, upstreamError } from '../http/upstream-error.ts';
import type { StreamError } from '../types.ts';
import { errorBodySchemas } from './chat-response-schema.ts';
import { readErrorText, type ProviderResponse } from '../http/provider-response.ts';

/** Codes providers use for a content-filter rejection (OpenAI, Azure, DashScope). */
const CONTENT_FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'responsibleaipolicyviolation', 'data_inspection_failed']);

export interface ProviderErrorDescription {
  readonly message: string;
  /** The provider's own code or type, when it gave one. */
  readonly code: string | undefined;
  readonly contentFilter: boolean;
}

const describeParsed = (value: unknown): { message: string; codes: string[] } | undefined => {
  const openai = errorBodySchemas().openai.safeParse(value);
  if (openai.success) {
    const { message, code, type, innererror } = openai.data.error;
    const codes = [code, type, innererror?.code].filter((c): c is string | number => c != null).map(String);
    return { message: message ?? '', codes };
  }
  const plain = errorBodySchemas().plain.safeParse(value);
  if (plain.success) return { message: plain.data.error, codes: [] };
  const cloudflare = errorBodySchemas().cloudflare.safeParse(value);
  if (cloudflare.success) {
    const { errors } = cloudflare.data;
    return { message: errors.map((e) => e.message ?? '').filter((m) => m !== '').join('; '), codes: errors.map((e) => String(e.code ?? '')) };
  }
  const flat = errorBodySchemas().flat.safeParse(value);
  if (flat.success) return { message: flat.data.message, codes: [] };
  const detail = errorBodySchemas().detail.safeParse(value);
  if (detail.success) return { message: typeof detail.data.detail === 'string' ? detail.data.detail : JSON.stringify(detail.data.detail), codes: [] };
  return undefined;
};

/** Reads any of the family's error shapes (or plain text) into a message, a code and a content-filter flag. */
export const describeProviderError = (body: unknown): ProviderErrorDescription => {
  const described = typeof body === 'string' ? { message: body, codes: [] } : describeParsed(body);
  const message = described?.message ?? '';
  const codes = described?.codes ?? [];
  const contentFilter = codes.some((code) => CONTENT_FILTER_CODES.has(code.toLowerCase())) || looksLikeContentFilter(message);
  return { message, code: codes[0], contentFilter };
};

const parseBodyText = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 2_000);
  }
};

export interface ErrorContext {
  readonly provider: string;
  /** The key in use: redacted verbatim should a provider echo it. */
  readonly knownSecrets: readonly string[];
}

/** A non-2xx response before the first byte → the error the adapter throws. */
export const upstreamErrorFromResponse = async (response: ProviderResponse, context: ErrorContext): Promise<UpstreamError> => {
  const text = await readErrorText(response).catch(() => '');
  const described = describeProviderError(parseBodyText(text));
  const retryAfterMs = response.status === 429 ? parseRetryAfter(response.headers) : undefined;
  return upstreamError({
    providerStatus: response.status,
    message: sanitizeUpstreamMessage(described.message, { contentFilter: described.contentFilter, knownSecrets: context.knownSecrets }),
    contentFilter: described.contentFilter,
    provider: context.provider,
    ...(retryAfterMs !== undefined ? { retryAfterSeconds: retryAfterMs / 1000 } : {}),
  });
};

/** A provider status a stream error chunk implies, from its code or type (there is no HTTP status mid-stream). */
const impliedStatus = (code: string | undefined): number => {
  const normalized = code?.toLowerCase() ?? '';
  if (/^\d{3}$/.test(normalized)) return Number(normalized);
  if (normalized.includes('rate_limit') || normalized === 'requests' || normalized === 'tokens') return 429;
  if (normalized.includes('invalid_request') || normalized.includes('invalid_parameter')) return 400;
  if (normalized.includes('timeout')) return 504;
  return 500;
};

/** An error object sent inside a stream → an `error` part. */
export const streamErrorFromBody = (body: unknown, context: ErrorContext): StreamError => {
  const described = describeProviderError(body);
  const providerStatus = impliedStatus(described.code);
  const { code, status } = classifyUpstreamStatus(providerStatus, described.contentFilter);
  const message = sanitizeUpstreamMessage(described.message || 'The provider failed while streaming.', {
    contentFilter: described.contentFilter,
    knownSecrets: context.knownSecrets,
  });
  return { status, code, message };
};
