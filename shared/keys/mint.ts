/** Minting a Compose Key: an EdDSA JWT whose `kid` names the signing key and whose `jti` names the ledger. */
import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { InternalError } from '../../layers/core/errors.ts';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, KEY_PREFIX, MAX_BUDGET, type ComposeKeyClaims } from './claims.ts';
import type { SigningKey } from './keyring.ts';

export interface MintOptions {
  readonly signingKey: SigningKey;
  /** USDC atomic units. */
  readonly budget: bigint;
  readonly models?: readonly string[];
  readonly expiresInSeconds?: number;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Epoch seconds. */
  readonly now?: number;
  readonly keyId?: string;
}

export interface MintedKey {
  /** `compose-<jwt>`: what goes after `Authorization: Bearer `. A secret: show it once, never log it. */
  readonly token: string;
  readonly claims: ComposeKeyClaims;
}

/**
 * 16 random bytes in base64url. Never one that starts with '-': an operator passes key ids to CLIs (`npm run keys
 * show <id>`), where a leading dash reads as an option. Redrawing such ids costs 0.02 bits of the 128.
 */
export const newKeyId = (): string => {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
};

export const mintKey = async (options: MintOptions): Promise<MintedKey> => {
  if (options.budget < 0n || options.budget > MAX_BUDGET) throw new InternalError('budget is out of range');
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const keyId = options.keyId ?? newKeyId();
  const expiresAt = options.expiresInSeconds === undefined ? undefined : now + options.expiresInSeconds;
  const { signingKey } = options;
  const jwt = new SignJWT({ budget: options.budget.toString(), ...(options.models ? { models: [...options.models] } : {}) })
    .setProtectedHeader({ alg: signingKey.alg, kid: signingKey.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? DEFAULT_ISSUER)
    .setAudience(options.audience ?? DEFAULT_AUDIENCE)
    .setJti(keyId)
    .setIssuedAt(now);
  if (options.subject) jwt.setSubject(options.subject);
  if (expiresAt !== undefined) jwt.setExpirationTime(expiresAt);
  const token = `${KEY_PREFIX}${await jwt.sign(await importJWK(signingKey.privateJwk, signingKey.alg))}`;
  return {
    token,
    claims: {
      keyId,
      budget: options.budget,
      ...(options.subject ? { subject: options.subject } : {}),
      ...(options.models ? { models: options.models } : {}),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      issuedAt: now,
    },
  };
};
