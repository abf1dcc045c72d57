/**
 * The gateway's vocabulary for provider failures, shared by every adapter: a provider's HTTP status becomes
 * one stable code and the status the gateway answers with.
 */
import { UpstreamError } from '../../core/errors.ts';
import { CONTENT_FILTER_MESSAGE } from './sanitize.ts';

export const UPSTREAM_CODES = {
  rateLimited: 'upstream_rate_limited',
  unavailable: 'upstream_unavailable',
  timeout: 'upstream_timeout',
  badRequest: 'upstream_bad_request',
  authFailed: 'upstream_auth_failed',
  contentFilter: 'content_filter',
  invalidResponse: 'upstream_invalid_response',
  malformedChunk: 'upstream_malformed_chunk',
  truncated: 'upstream_truncated',
  connectionLost: 'upstream_connection_lost',
  notConfigured: 'provider_not_configured',
  aborted: 'request_aborted',
} as const;

export type UpstreamCode = (typeof UPSTREAM_CODES)[keyof typeof UPSTREAM_CODES];

export interface UpstreamClassification {
  readonly code: UpstreamCode;
  /** What the gateway answers with. */
  readonly status: number;
}

/** The provider's status → the gateway's code. A content filter is decided by the body, not the status. */
export const classifyUpstreamStatus = (providerStatus: number, contentFilter = false): UpstreamClassification => {
  if (contentFilter) return { code: UPSTREAM_CODES.contentFilter, status: 400 };
  if (providerStatus === 429) return { code: UPSTREAM_CODES.rateLimited, status: 429 };
  // The gateway's own credential was refused: the client cannot fix that, so it is a bad gateway.
  if (providerStatus === 401 || providerStatus === 403) return { code: UPSTREAM_CODES.authFailed, status: 502 };
  if (providerStatus === 408 || providerStatus === 504 || providerStatus === 524) return { code: UPSTREAM_CODES.timeout, status: 504 };
  if (providerStatus === 503) return { code: UPSTREAM_CODES.unavailable, status: 503 };
  // A 404 means the catalog points at a model or deployment the provider does not have: a gateway fault.
  if (providerStatus === 404 || providerStatus >= 500) return { code: UPSTREAM_CODES.unavailable, status: 502 };
  return { code: UPSTREAM_CODES.badRequest, status: 400 };
};

/** Generic messages for the codes whose provider text is useless or unsafe for the client. */
const GENERIC_MESSAGES: Partial<Record<UpstreamCode, string>> = {
  upstream_rate_limited: 'The provider is rate limiting requests; retry later.',
  upstream_auth_failed: "The provider refused the gateway's credentials.",
  upstream_timeout: 'The provider did not answer in time.',
  upstream_unavailable: 'The provider is unavailable.',
  content_filter: CONTENT_FILTER_MESSAGE,
};

export interface UpstreamErrorInput {
  readonly providerStatus: number;
  /** Already sanitized; used only where the client can act on it (bad requests). */
  readonly message: string;
  readonly contentFilter?: boolean;
  readonly retryAfterSeconds?: number;
  readonly provider?: string;
}

export const upstreamError = (input: UpstreamErrorInput): UpstreamError => {
  const { code, status } = classifyUpstreamStatus(input.providerStatus, input.contentFilter);
  // The client can act on a bad request's text, and a 404's names the missing model; the rest stay generic.
  const useProviderText = code === UPSTREAM_CODES.badRequest || (input.providerStatus === 404 && !input.contentFilter);
  const message = useProviderText ? input.message : (GENERIC_MESSAGES[code] ?? input.message);
  return new UpstreamError(status, code, message, {
    details: { upstream_status: input.providerStatus, ...(input.provider ? { provider: input.provider } : {}) },
    ...(input.retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(Math.ceil(input.retryAfterSeconds)) } } : {}),
  });
};
