/**
 * The JWT a service account presents in the OAuth 2.0 JWT bearer grant (RFC 7523): RS256-signed with the
 * key's private key, issued by its client_email, for the cloud-platform scope, addressed to the token URL.
 */
import { importPKCS8, SignJWT } from 'jose';
import type { ServiceAccountKey } from './service-account.ts';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Google refuses assertions that live longer than an hour. */
const ASSERTION_LIFETIME_SECONDS = 3600;

type SigningKey = Awaited<ReturnType<typeof importPKCS8>>;

const importedKeys = new Map<string, Promise<SigningKey>>();

const signingKey = (pem: string): Promise<SigningKey> => {
  let key = importedKeys.get(pem);
  if (!key) {
    key = importPKCS8(pem, 'RS256');
    importedKeys.clear(); // one live key at a time: a rotated key replaces the old one
    importedKeys.set(pem, key);
    key.catch(() => importedKeys.delete(pem));
  }
  return key;
};

export const signJwtAssertion = async (key: ServiceAccountKey, tokenUrl: string, nowSeconds: number): Promise<string> =>
  new SignJWT({ scope: CLOUD_PLATFORM_SCOPE })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.private_key_id ? { kid: key.private_key_id } : {}) })
    .setIssuer(key.client_email)
    .setAudience(tokenUrl)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ASSERTION_LIFETIME_SECONDS)
    .sign(await signingKey(key.private_key));
