/**
 * `Authorization: Bearer compose-<jwt>` → verified claims, with no I/O: keys come from configuration and
 * jose caches each imported key, so verification costs a signature check. Revocation and budget live in
 * the ledger and are checked by `reserve`, in the one DynamoDB round trip the key path is allowed.
 */
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

export const createKeyVerifier = (config: KeyVerifierConfig): KeyVerifier => {
  const keys = createLocalJWKSet(config.jwks);
  const options = {
    issuer: config.issuer,
    audience: config.audience,
    algorithms: [...config.algorithms],
    clockTolerance: config.clockToleranceSeconds ?? 0,
  };
  const verify = async (token: string): Promise<ComposeKeyClaims> => {
    const jwt = token.startsWith(KEY_PREFIX) ? token.slice(KEY_PREFIX.length) : token;
    try {
      const { payload } = await jwtVerify(jwt, keys, options);
      return claimsFromPayload(payload);
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
