/**
 * OAuth2 access tokens for a service account, minted by the JWT bearer grant and cached until shortly
 * before they expire. Concurrent callers share one in-flight refresh; a failed refresh is not cached.
 */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';
import { UpstreamError } from '../../core/errors.ts';
import { fetchWithRetry } from '../http/fetch-with-retry.ts';
import { sanitizeUpstreamMessage } from '../http/sanitize.ts';
import { UPSTREAM_CODES, upstreamError } from '../http/upstream-error.ts';
import { signJwtAssertion } from './jwt-assertion.ts';
import type { ServiceAccountKey } from './service-account.ts';
import { readErrorText, type ProviderFetch, type ProviderResponse } from '../http/provider-response.ts';

/** An error body that is not JSON is read like one that does not match the schema: the status alone decides. */
const notJson = (): undefined => undefined;

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const tokenResponseSchema = z.object({ access_token: z.string().min(1), expires_in: z.number().positive(), token_type: z.string() });
const tokenErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export interface AccessTokenSourceOptions {
  readonly fetch?: ProviderFetch;
  /** Milliseconds since the epoch; injected so expiry is testable without waiting. */
  readonly now?: () => number;
  /** Refresh this long before expiry, so a token never expires in flight (google-auth-library uses 5 min). */
  readonly refreshMarginMs?: number;
  readonly timeoutMs?: number;
  readonly maxRetries?: number;
}

export interface AccessTokenSource {
  token(key: ServiceAccountKey, tokenUrl: string): Promise<string>;
  /** Forget cached tokens, e.g. after the provider answered 401. */
  invalidate(): void;
}

interface CachedToken {
  readonly value: string;
  readonly expiresAt: number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 15_000;

const tokenError = async (response: ProviderResponse): Promise<UpstreamError> => {
  const parsed = tokenErrorSchema.safeParse(await readErrorText(response).then((text) => JSON.parse(text) as unknown).catch(notJson));
  // An OAuth error (invalid_grant, invalid_client...) means the key itself was refused.
  const providerStatus = response.status < 500 && response.status !== 429 ? 401 : response.status;
  const message = sanitizeUpstreamMessage(parsed.success ? `${parsed.data.error}: ${parsed.data.error_description ?? ''}` : 'token request failed');
  return upstreamError({ provider: 'vertex', providerStatus, message });
};

export const createAccessTokenSource = (options: AccessTokenSourceOptions = {}): AccessTokenSource => {
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
  const cache = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<CachedToken>>();

  const mint = async (key: ServiceAccountKey, tokenUrl: string): Promise<CachedToken> => {
    const issuedAt = now();
    const assertion = await signJwtAssertion(key, tokenUrl, Math.floor(issuedAt / 1000));
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    const response = await fetchWithRetry(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, {
      // Shared by every waiting caller, so no single caller's abort may cancel it: it has its own deadline.
      signal: AbortSignal.timeout(options.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    });
    if (!response.ok) throw await tokenError(response);
    const parsed = tokenResponseSchema.safeParse(await response.json().catch(notJson));
    if (!parsed.success) throw new UpstreamError(502, UPSTREAM_CODES.invalidResponse, 'The token endpoint answered without a usable access token.');
    return { value: parsed.data.access_token, expiresAt: issuedAt + parsed.data.expires_in * 1000 };
  };

  return {
    async token(key, tokenUrl) {
      const cacheKey = `${key.client_email}\0${key.private_key_id ?? ''}\0${tokenUrl}`;
      const cached = cache.get(cacheKey);
      if (cached && now() < cached.expiresAt - margin) return cached.value;
      let pending = inFlight.get(cacheKey);
      if (!pending) {
        pending = mint(key, tokenUrl)
          .then((token) => {
            cache.set(cacheKey, token);
            return token;
          })
          .finally(() => inFlight.delete(cacheKey));
        inFlight.set(cacheKey, pending);
      }
      return (await pending).value;
    },
    invalidate() {
      cache.clear();
    },
  };
};
