/**
 * Google's OAuth token endpoint for the JWT bearer grant: verifies the assertion's RS256 signature against
 * the service account's public key, its issuer, audience, lifetime and scope, and answers
 * `{access_token, expires_in, token_type}` or an OAuth error (`{error, error_description}`, status 400).
 */
import type { ServerResponse } from 'node:http';
import { randomBytes, type KeyObject } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import { sendJson } from '../gemini/http-io.ts';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const MAX_ASSERTION_LIFETIME_SECONDS = 3600;

export interface TokenIssuer {
  readonly clientEmail: string;
  readonly publicKey: KeyObject;
  /** The audience assertions must name: this endpoint's own URL. */
  readonly tokenUrl: string;
  readonly lifetimeSeconds: number;
  /** Records an issued token so the API routes accept it. */
  readonly issue: (token: string, expiresAt: number) => void;
}

const oauthError = (res: ServerResponse, error: string, description: string): void => sendJson(res, 400, { error, error_description: description });

const SHORT_LIVED = 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

export const handleTokenRequest = async (res: ServerResponse, rawBody: string, issuer: TokenIssuer): Promise<void> => {
  const form = new URLSearchParams(rawBody);
  const grantType = form.get('grant_type');
  if (grantType !== JWT_BEARER_GRANT) return oauthError(res, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
  const assertion = form.get('assertion');
  if (!assertion) return oauthError(res, 'invalid_request', 'Missing required parameter: assertion');
  try {
    const { payload } = await jwtVerify(assertion, issuer.publicKey, { algorithms: ['RS256'], clockTolerance: 60 });
    if (payload.iss !== issuer.clientEmail) return oauthError(res, 'invalid_grant', 'Invalid grant: account not found');
    if (payload.aud !== issuer.tokenUrl) return oauthError(res, 'invalid_grant', 'Invalid JWT: Failed audience check. The expected audience is the token endpoint.');
    if (payload.iat === undefined || payload.exp === undefined || payload.exp - payload.iat > MAX_ASSERTION_LIFETIME_SECONDS) return oauthError(res, 'invalid_grant', SHORT_LIVED);
    const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
    if (!scopes.includes(CLOUD_PLATFORM_SCOPE)) return oauthError(res, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
  } catch (error) {
    if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) return oauthError(res, 'invalid_grant', SHORT_LIVED);
    return oauthError(res, 'invalid_grant', 'Invalid JWT Signature.');
  }
  const token = `ya29.sim-${randomBytes(24).toString('base64url')}`;
  issuer.issue(token, Date.now() + issuer.lifetimeSeconds * 1000);
  sendJson(res, 200, { access_token: token, expires_in: issuer.lifetimeSeconds, token_type: 'Bearer' });
};
