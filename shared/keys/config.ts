/**
 * Verification settings, from the environment a function was deployed (or started locally) with. The JWKS
 * holds PUBLIC keys only, each with a `kid`: rotation adds a key, tokens name theirs, retiring one removes it.
 */
import type { JSONWebKeySet } from 'jose';
import { InternalError } from '../../layers/core/errors.ts';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from './claims.ts';
import type { LeaseOptions } from './leases.ts';

export const KEY_ENV = {
  jwks: 'COMPOSE_KEYS_JWKS',
  issuer: 'COMPOSE_KEYS_ISSUER',
  audience: 'COMPOSE_KEYS_AUDIENCE',
  algorithms: 'COMPOSE_KEYS_ALGORITHMS',
} as const;

export const DEFAULT_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface KeyVerifierConfig {
  readonly jwks: JSONWebKeySet;
  readonly issuer: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  /** Seconds of clock skew allowed on exp/nbf/iat. */
  readonly clockToleranceSeconds?: number;
}

/** JWK members that only a private (or symmetric) key has. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

export const validateJwks = (value: unknown): JSONWebKeySet => {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new InternalError(`${KEY_ENV.jwks} must be a JWKS with at least one key`);
  for (const key of keys as Record<string, unknown>[]) {
    if (typeof key.kid !== 'string' || key.kid === '') throw new InternalError(`every key in ${KEY_ENV.jwks} needs a kid`);
    // Refuse rather than strip: a private key in function configuration is a leak to fix, not to tolerate.
    if (PRIVATE_MEMBERS.some((m) => m in key)) throw new InternalError(`${KEY_ENV.jwks} must hold public keys only (kid ${key.kid})`);
  }
  return value as JSONWebKeySet;
};

export const keyVerifierConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): KeyVerifierConfig => {
  const raw = env[KEY_ENV.jwks];
  if (!raw) throw new InternalError(`${KEY_ENV.jwks} is not set`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new InternalError(`${KEY_ENV.jwks} is not JSON`, { cause });
  }
  const algorithms = (env[KEY_ENV.algorithms] ?? DEFAULT_ALGORITHMS.join(','))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  return {
    jwks: validateJwks(parsed),
    issuer: env[KEY_ENV.issuer] || DEFAULT_ISSUER,
    audience: env[KEY_ENV.audience] || DEFAULT_AUDIENCE,
    algorithms,
  };
};

/** `off` turns budget leases off (every call then holds and settles on the key's item); anything else, or unset, leaves them on. */
export const KEY_LEASES_ENV = 'COMPOSE_KEY_LEASES';

export const keyLeasesFromEnv = (env: NodeJS.ProcessEnv = process.env): LeaseOptions | false =>
  ['off', 'false', '0'].includes((env[KEY_LEASES_ENV] ?? '').trim().toLowerCase()) ? false : {};
