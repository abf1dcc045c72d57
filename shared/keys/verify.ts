/**
 * `Authorization: Bearer compose-<jwt>` → verified claims, with no I/O: keys come from configuration and
 * jose caches each imported key, so verification costs a signature check. Revocation and budget live in
 * the ledger and are checked by `reserve`, in the one DynamoDB round trip the key path is allowed.
 *
 * A warm instance sees the same key call after call, and a signature check (EdDSA, with jose's JWT parsing) was
 * the largest CPU cost of the key path: verified claims are kept by the token's SHA-256 for at most
 * `VERIFIED_KEY_CACHE_SECONDS` (the revocation bound of issue 15) and never past the token's own expiry. A
 * different token (another signature on the same claims included) hashes differently and is verified afresh;
 * only successes are kept. Configuration (the JWKS, issuer, audience) is fixed per instance, so a retired
 * signing key takes effect with the deploy that retires it, as it did before.
 */
import { createHash } from 'node:crypto';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import { claimsFromPayload, KEY_PREFIX, type ComposeKeyClaims } from './claims.ts';
import type { KeyVerifierConfig } from './config.ts';
import { AuthenticationError } from '../../layers/core/errors.ts';
import { expiredKey, invalidKey, missingKey } from './errors.ts';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The Compose Key in an Authorization header: undefined when there is no credential at all (the caller may
 * offer x402 instead), the token when there is one, and `invalid_api_key` for anything else.
 */
export const readComposeKey = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined || authorization.trim() === '') return undefined;
  const token = BEARER.exec(authorization)?.[1];
  if (!token?.startsWith(KEY_PREFIX) || token.length === KEY_PREFIX.length) {
    throw invalidKey('expected `Authorization: Bearer compose-<key>`');
  }
  return token;
};

export interface KeyVerifier {
  /** Accepts the token with or without its `compose-` prefix. */
  verify(token: string): Promise<ComposeKeyClaims>;
  /** The header → claims; a missing header is `missing_api_key`. */
  authenticate(authorization: string | undefined): Promise<ComposeKeyClaims>;
}

const translate = (error: unknown): Error => {
  if (error instanceof errors.JWTExpired) return expiredKey();
  if (error instanceof errors.JWKSNoMatchingKey) return invalidKey('unknown signing key', error);
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalidKey('bad signature', error);
  if (error instanceof errors.JWTClaimValidationFailed) return invalidKey(`the ${error.claim} claim does not match`, error);
  if (error instanceof errors.JOSEAlgNotAllowed) return invalidKey('signing algorithm not allowed', error);
  if (error instanceof errors.JOSEError) return invalidKey('malformed token', error);
  return error instanceof Error ? error : new Error(String(error));
};

/** How long verified claims are reused: the revocation bound (issue 15). */
export const VERIFIED_KEY_CACHE_SECONDS = 30;
const VERIFIED_KEY_CACHE_ENTRIES = 1_000;

export interface KeyVerifierOptions {
  /** Epoch ms; the clock of the cache and of jose's exp/nbf checks (tests inject one). */
  readonly now?: () => number;
  /** 0 verifies every call. */
  readonly cacheSeconds?: number;
  readonly cacheEntries?: number;
}

interface Verified {
  readonly claims: ComposeKeyClaims;
  /** Epoch ms after which the claims are verified again. */
  readonly until: number;
}

export const createKeyVerifier = (config: KeyVerifierConfig, verifierOptions: KeyVerifierOptions = {}): KeyVerifier => {
  const keys = createLocalJWKSet(config.jwks);
  const now = verifierOptions.now ?? Date.now;
  const cacheMs = (verifierOptions.cacheSeconds ?? VERIFIED_KEY_CACHE_SECONDS) * 1000;
  const maxEntries = verifierOptions.cacheEntries ?? VERIFIED_KEY_CACHE_ENTRIES;
  const tolerance = config.clockToleranceSeconds ?? 0;
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...config.algorithms],
    clockTolerance: tolerance,
  };
  // Insertion order is age order: the oldest entry is the first key.
  const verified = new Map<string, Verified>();
  const remember = (digest: string, claims: ComposeKeyClaims, at: number): void => {
    // jose refuses a token once exp <= now - tolerance.
    const expiry = claims.expiresAt === undefined ? Number.POSITIVE_INFINITY : (claims.expiresAt + tolerance) * 1000;
    const until = Math.min(at + cacheMs, expiry);
    if (until <= at) return;
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(digest, { claims, until });
  };
  const verify = async (token: string): Promise<ComposeKeyClaims> => {
    const jwt = token.startsWith(KEY_PREFIX) ? token.slice(KEY_PREFIX.length) : token;
    const at = now();
    const digest = cacheMs > 0 ? createHash('sha256').update(jwt).digest('base64url') : undefined;
    if (digest !== undefined) {
      const hit = verified.get(digest);
      if (hit && at < hit.until) return hit.claims;
      if (hit) verified.delete(digest);
    }
    try {
      const { payload } = await jwtVerify(jwt, keys, { ...options, currentDate: new Date(at) });
      const claims = claimsFromPayload(payload);
      if (digest !== undefined) remember(digest, claims, at);
      return claims;
    } catch (error) {
      throw translate(error);
    }
  };
  return {
    verify,
    authenticate: async (authorization) => {
      const token = readComposeKey(authorization);
      if (token === undefined) throw missingKey();
      return verify(token);
    },
  };
};

/** A deployment without `COMPOSE_KEYS_JWKS` accepts no key: every key is refused with 401, nothing crashes at init. */
export const unconfiguredKeyVerifier: KeyVerifier = {
  verify: async () => {
    throw new AuthenticationError('invalid_api_key', 'Compose Keys are not enabled on this deployment.');
  },
  authenticate: async () => {
    throw new AuthenticationError('invalid_api_key', 'Compose Keys are not enabled on this deployment.');
  },
};
