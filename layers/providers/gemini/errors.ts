/**
 * Google error bodies (`{error:{code,message,status,details}}`) → the gateway's shared upstream vocabulary.
 * Google-specific facts live here: an invalid Gemini key is a 400 told apart only by its ErrorInfo reason,
 * the wait a 429 asks for sits in a RetryInfo detail, and Vertex messages name project resource paths.
 */
import type { UpstreamError } from '../../core/errors.ts';
import { sanitizeUpstreamMessage } from '../http/sanitize.ts';
import { classifyUpstreamStatus, upstreamError } from '../http/upstream-error.ts';
import type { ProviderId, StreamError } from '../types.ts';
import { googleErrorBodySchema, type GoogleErrorBody } from './wire.ts';

const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_EXPIRED', 'ACCESS_TOKEN_EXPIRED', 'ACCESS_TOKEN_TYPE_UNSUPPORTED', 'CREDENTIALS_MISSING']);

/** Google names in resource paths that identify the operator's account. */
const GOOGLE_IDENTIFIERS: readonly (readonly [RegExp, string])[] = [
  [/\bprojects\/[^/\s`'"]+/g, 'projects/[redacted]'],
  [/[\w.%+-]+@[\w.-]+\.iam\.gserviceaccount\.com/g, '[service-account]'],
];

const detailsOf = (body: GoogleErrorBody | undefined): Record<string, unknown>[] => body?.error.details ?? [];

/** The HTTP status that means what Google meant, where Google's status alone would mislead. */
const effectiveStatus = (status: number, body: GoogleErrorBody | undefined): number => {
  if (detailsOf(body).some((detail) => typeof detail['reason'] === 'string' && AUTH_REASONS.has(detail['reason']))) return 401;
  if (body?.error.status === 'RESOURCE_EXHAUSTED') return 429;
  if (body?.error.status === 'DEADLINE_EXCEEDED') return 504;
  return status;
};

/** RetryInfo's `retryDelay` is a protobuf Duration string such as "17s" or "0.5s". */
const retryDelaySeconds = (body: GoogleErrorBody | undefined): number | undefined => {
  for (const detail of detailsOf(body)) {
    const delay = detail['retryDelay'];
    const seconds = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay)?.[1] : undefined;
    if (seconds !== undefined) return Number(seconds);
  }
  return undefined;
};

const describe = (body: GoogleErrorBody | undefined, knownSecrets: readonly string[]): string => {
  let message = body?.error.message ?? '';
  for (const [pattern, replacement] of GOOGLE_IDENTIFIERS) message = message.replace(pattern, replacement);
  return sanitizeUpstreamMessage(message, { knownSecrets });
};

export const parseGoogleErrorBody = (raw: unknown): GoogleErrorBody | undefined => {
  const parsed = googleErrorBodySchema().safeParse(raw);
  return parsed.success ? parsed.data : undefined;
};

const parseBodyText = (text: string): GoogleErrorBody | undefined => {
  try {
    return parseGoogleErrorBody(JSON.parse(text));
  } catch {
    return undefined;
  }
};

/**
 * A non-2xx answer before the first byte → the error the adapter throws. `knownSecrets` (the credential
 * sent) are redacted wherever the provider echoes them.
 */
export const upstreamErrorFromResponse = (provider: ProviderId, status: number, bodyText: string, knownSecrets: readonly string[] = []): UpstreamError => {
  const body = parseBodyText(bodyText);
  const retryAfterSeconds = retryDelaySeconds(body);
  return upstreamError({
    provider,
    providerStatus: effectiveStatus(status, body),
    message: describe(body, knownSecrets),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
};

/** An error object sent inside a stream (Google's way of failing midway) → an `error` part. */
export const streamErrorFromBody = (body: GoogleErrorBody, knownSecrets: readonly string[] = []): StreamError => {
  const status = body.error.code ?? 500;
  return { status, code: classifyUpstreamStatus(effectiveStatus(status, body)).code, message: describe(body, knownSecrets) };
};
