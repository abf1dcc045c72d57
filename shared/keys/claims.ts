/**
 * What a Compose Key's JWT says, beyond the registered claims jose checks (iss, aud, exp, nbf):
 * `jti` is the key id (its ledger is `key#<jti>`), `budget` the initial budget in USDC atomic units (an
 * integer string), `models` an optional allow-list of public model ids.
 */
import type { JWTPayload } from 'jose';
import { invalidKey, modelNotAllowed } from './errors.ts';

export const KEY_PREFIX = 'compose-';
export const DEFAULT_ISSUER = 'compose-inference';
export const DEFAULT_AUDIENCE = 'compose-inference';

/** Key ids go into a DynamoDB key and attribute names: keep them to a safe alphabet. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Budgets stay exact as DynamoDB numbers read back into JavaScript numbers. */
export const MAX_BUDGET = BigInt(Number.MAX_SAFE_INTEGER);

export interface ComposeKeyClaims {
  readonly keyId: string;
  readonly subject?: string;
  readonly budget?: bigint;
  readonly models?: readonly string[];
  /** Epoch seconds. */
  readonly expiresAt?: number;
  readonly issuedAt?: number;
}

const budgetOf = (value: unknown): bigint | undefined => {
  if (value === undefined) return undefined;
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,16}$/.test(text) || BigInt(text) > MAX_BUDGET) throw invalidKey('malformed budget claim');
  return BigInt(text);
};

const modelsOf = (value: unknown): readonly string[] | undefined => {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((m) => typeof m === 'string')) throw invalidKey('malformed models claim');
  return value;
};

export const claimsFromPayload = (payload: JWTPayload): ComposeKeyClaims => {
  if (typeof payload.jti !== 'string' || !KEY_ID_PATTERN.test(payload.jti)) throw invalidKey('missing or malformed key id');
  const budget = budgetOf(payload.budget);
  const models = modelsOf(payload.models);
  return {
    keyId: payload.jti,
    ...(payload.sub === undefined ? {} : { subject: payload.sub }),
    ...(budget === undefined ? {} : { budget }),
    ...(models === undefined ? {} : { models }),
    ...(payload.exp === undefined ? {} : { expiresAt: payload.exp }),
    ...(payload.iat === undefined ? {} : { issuedAt: payload.iat }),
  };
};

/** An absent allow-list allows every model. */
export const assertModelAllowed = (claims: ComposeKeyClaims, model: string): void => {
  if (claims.models && !claims.models.includes(model)) throw modelNotAllowed(model);
};
