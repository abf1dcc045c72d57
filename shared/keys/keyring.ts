/**
 * Local signing keys for minting Compose Keys (the CLI and `npm start`), kept in `<dataDir>/keys/keyring.json`
 * with owner-only permissions. Deployed functions never see this file: they verify against the public JWKS
 * (`publicJwks`) given to them as COMPOSE_KEYS_JWKS. Rotation adds a key and makes it current; older keys
 * stay in the JWKS until retired, so keys minted with them keep verifying.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { InternalError } from '../../layers/core/errors.ts';

export const SIGNING_ALG = 'EdDSA';

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly createdAt: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

interface Keyring {
  readonly current: string;
  readonly keys: readonly SigningKey[];
}

export const keysDir = (dataDir: string): string => join(dataDir, 'keys');
const keyringPath = (dataDir: string): string => join(keysDir(dataDir), 'keyring.json');

const readKeyring = (dataDir: string): Keyring | undefined => {
  try {
    return JSON.parse(readFileSync(keyringPath(dataDir), 'utf8')) as Keyring;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Written to a temporary file and renamed, so a crash never leaves half a keyring. */
const writeKeyring = (dataDir: string, keyring: Keyring): void => {
  mkdirSync(keysDir(dataDir), { recursive: true, mode: 0o700 });
  const temporary = `${keyringPath(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keyring, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, keyringPath(dataDir));
};

const newSigningKey = async (): Promise<SigningKey> => {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const kid = `ck-${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  const meta = { kid, alg: SIGNING_ALG, use: 'sig' };
  return {
    kid,
    alg: SIGNING_ALG,
    createdAt: new Date().toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
  };
};

const current = (keyring: Keyring): SigningKey => {
  const key = keyring.keys.find((k) => k.kid === keyring.current);
  if (!key) throw new InternalError(`the keyring's current key ${keyring.current} is missing`);
  return key;
};

/** The current signing key, created on first use. */
export const ensureDevSigningKey = async (dataDir: string): Promise<SigningKey> => {
  const existing = readKeyring(dataDir);
  if (existing) return current(existing);
  const key = await newSigningKey();
  writeKeyring(dataDir, { current: key.kid, keys: [key] });
  return key;
};

/** A new current signing key; the previous ones keep verifying until retired. */
export const rotateSigningKey = async (dataDir: string): Promise<SigningKey> => {
  const keyring = readKeyring(dataDir);
  const key = await newSigningKey();
  writeKeyring(dataDir, { current: key.kid, keys: [...(keyring?.keys ?? []), key] });
  return key;
};

/** Removes a non-current key: keys minted with it stop verifying once functions get the new JWKS. */
export const retireSigningKey = (dataDir: string, kid: string): void => {
  const keyring = readKeyring(dataDir);
  if (!keyring?.keys.some((k) => k.kid === kid)) throw new InternalError(`no signing key ${kid}`);
  if (keyring.current === kid) throw new InternalError('the current signing key cannot be retired; rotate first');
  writeKeyring(dataDir, { current: keyring.current, keys: keyring.keys.filter((k) => k.kid !== kid) });
};

/** The public JWKS for COMPOSE_KEYS_JWKS: every non-retired key, public members only. */
export const publicJwks = (dataDir: string): JSONWebKeySet => ({ keys: (readKeyring(dataDir)?.keys ?? []).map((k) => k.publicJwk) });
