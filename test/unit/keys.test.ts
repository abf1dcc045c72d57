import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertModelAllowed,
  createKeyVerifier,
  ensureDevSigningKey,
  keyVerifierConfigFromEnv,
  mintKey,
  newKeyId,
  publicJwks,
  readComposeKey,
  retireSigningKey,
  rotateSigningKey,
  type KeyVerifierConfig,
} from '../../shared/keys/index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'compose-keys-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const config = (): KeyVerifierConfig => ({ jwks: publicJwks(dataDir), issuer: 'compose-inference', audience: 'compose-inference', algorithms: ['EdDSA', 'ES256'] });
const rejects = async (promise: Promise<unknown>, status: number, code: string): Promise<void> => {
  await expect(promise).rejects.toMatchObject({ status, code });
};

describe('Compose Key verification', () => {
  it('verifies a minted key from the Authorization header and returns its claims', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const { token, claims } = await mintKey({ signingKey, budget: 5_000_000n, models: ['openai/gpt-4o'], expiresInSeconds: 3600 });
    expect(token.startsWith('compose-')).toBe(true);
    const verified = await createKeyVerifier(config()).authenticate(`Bearer ${token}`);
    expect(verified).toEqual(claims);
    expect(verified.budget).toBe(5_000_000n);
    expect(statSync(join(dataDir, 'keys', 'keyring.json')).mode & 0o777).toBe(0o600);
  });

  it('tells a missing key from a malformed one', async () => {
    const verifier = createKeyVerifier(config());
    await rejects(verifier.authenticate(undefined), 401, 'missing_api_key');
    await rejects(verifier.authenticate('   '), 401, 'missing_api_key');
    await rejects(verifier.authenticate('Bearer sk-openai-style'), 401, 'invalid_api_key');
    await rejects(verifier.authenticate('Basic abc'), 401, 'invalid_api_key');
    await rejects(verifier.authenticate('Bearer compose-not.a.jwt'), 401, 'invalid_api_key');
    expect(readComposeKey(undefined)).toBeUndefined();
    expect(readComposeKey('bearer compose-abc')).toBe('compose-abc');
  });

  it('refuses a bad signature, an unknown kid, a wrong issuer or audience, and a disallowed algorithm', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const verifier = createKeyVerifier(config());
    const { token } = await mintKey({ signingKey, budget: 1n });
    const [h, p, s] = token.slice('compose-'.length).split('.');
    const tampered = `compose-${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), budget: '999999999' })).toString('base64url')}.${s}`;
    await rejects(verifier.verify(tampered), 401, 'invalid_api_key');

    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const foreign = { ...signingKey, kid: 'unknown-kid', privateJwk: { ...(await exportJWK(stranger.privateKey)), kid: 'unknown-kid' } };
    await rejects(verifier.verify((await mintKey({ signingKey: foreign, budget: 1n })).token), 401, 'invalid_api_key');
    // The right kid, the wrong key: a forged signature.
    const forged = { ...signingKey, privateJwk: { ...(await exportJWK(stranger.privateKey)), kid: signingKey.kid } };
    await rejects(verifier.verify((await mintKey({ signingKey: forged, budget: 1n })).token), 401, 'invalid_api_key');

    await rejects(verifier.verify((await mintKey({ signingKey, budget: 1n, issuer: 'someone-else' })).token), 401, 'invalid_api_key');
    await rejects(verifier.verify((await mintKey({ signingKey, budget: 1n, audience: 'another-api' })).token), 401, 'invalid_api_key');
    await rejects(createKeyVerifier({ ...config(), algorithms: ['ES256'] }).verify(token), 401, 'invalid_api_key');
  });

  it('refuses a key without a key id', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const { importJWK } = await import('jose');
    const jwt = await new SignJWT({ budget: '1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: signingKey.kid })
      .setIssuer('compose-inference')
      .setAudience('compose-inference')
      .sign(await importJWK(signingKey.privateJwk, 'EdDSA'));
    await rejects(createKeyVerifier(config()).verify(`compose-${jwt}`), 401, 'invalid_api_key');
  });

  it('says expired for an expired key', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const { token } = await mintKey({ signingKey, budget: 1n, now: Math.floor(Date.now() / 1000) - 7200, expiresInSeconds: 3600 });
    await rejects(createKeyVerifier(config()).verify(token), 401, 'expired_api_key');
  });

  it('reuses a verified key within the cache bound but never past its expiry (injected clock)', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const start = 1_900_000_000;
    let clock = start * 1000;
    const verifier = createKeyVerifier(config(), { now: () => clock });
    const { token, claims } = await mintKey({ signingKey, budget: 7n, now: start, expiresInSeconds: 20 });
    expect(await verifier.verify(token)).toEqual(claims);
    clock += 19_999;
    expect(await verifier.verify(token)).toEqual(claims);
    // Cached at `start` for up to 30 s, but the key expires at start + 20 s: refused from that instant.
    clock = (start + 20) * 1000;
    await rejects(verifier.verify(token), 401, 'expired_api_key');
    await rejects(verifier.authenticate(`Bearer ${token}`), 401, 'expired_api_key');
  });

  it('keys the cache by the whole token: another signature on the same claims is verified, and refused', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const verifier = createKeyVerifier(config());
    const { token } = await mintKey({ signingKey, budget: 1n });
    await verifier.verify(token);
    const [h, p, sig] = token.slice('compose-'.length).split('.');
    const bytes = Buffer.from(sig!, 'base64url');
    bytes[0] = bytes[0]! ^ 0xff;
    await rejects(verifier.verify(`compose-${h}.${p}.${bytes.toString('base64url')}`), 401, 'invalid_api_key');
    // A failure is not remembered either way: the genuine token still verifies, the forged one is still refused.
    expect((await verifier.verify(token)).budget).toBe(1n);
    await rejects(verifier.verify(`compose-${h}.${p}.${bytes.toString('base64url')}`), 401, 'invalid_api_key');
  });

  it('verifies every call with the cache off, and keeps at most `cacheEntries` keys', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const uncached = createKeyVerifier(config(), { cacheSeconds: 0 });
    const small = createKeyVerifier(config(), { cacheEntries: 2 });
    const minted = await Promise.all([1n, 2n, 3n].map((budget) => mintKey({ signingKey, budget })));
    for (const { token, claims } of [...minted, ...minted]) {
      expect(await uncached.verify(token)).toEqual(claims);
      expect(await small.verify(token)).toEqual(claims);
    }
  });

  it('rotates by kid: old keys keep verifying until their signing key is retired', async () => {
    const before = await ensureDevSigningKey(dataDir);
    const old = await mintKey({ signingKey: before, budget: 1n });
    const after = await rotateSigningKey(dataDir);
    expect(after.kid).not.toBe(before.kid);
    expect(await ensureDevSigningKey(dataDir)).toEqual(after);
    const fresh = await mintKey({ signingKey: after, budget: 1n });
    const verifier = createKeyVerifier(config());
    expect((await verifier.verify(old.token)).keyId).toBe(old.claims.keyId);
    expect((await verifier.verify(fresh.token)).keyId).toBe(fresh.claims.keyId);

    retireSigningKey(dataDir, before.kid);
    await rejects(createKeyVerifier(config()).verify(old.token), 401, 'invalid_api_key');
    expect((await createKeyVerifier(config()).verify(fresh.token)).keyId).toBe(fresh.claims.keyId);
  });

  it('enforces the model allow-list', async () => {
    const claims = { keyId: 'abcdefgh12', models: ['openai/gpt-4o'] };
    expect(() => assertModelAllowed(claims, 'openai/gpt-4o')).not.toThrow();
    expect(() => assertModelAllowed(claims, 'google/gemini-2.5-pro')).toThrow(expect.objectContaining({ status: 403, code: 'model_not_allowed' }));
    expect(() => assertModelAllowed({ keyId: 'abcdefgh12' }, 'anything')).not.toThrow();
  });

  it('reads its configuration from the environment and refuses private keys in it', () => {
    const jwks = publicJwks(dataDir);
    const fromEnv = keyVerifierConfigFromEnv({ COMPOSE_KEYS_JWKS: JSON.stringify(jwks) });
    expect(fromEnv).toMatchObject({ issuer: 'compose-inference', audience: 'compose-inference', algorithms: ['EdDSA', 'ES256'] });
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    const leaked = { keys: [{ ...jwks.keys[0], d: 'secret' }] };
    expect(() => keyVerifierConfigFromEnv({ COMPOSE_KEYS_JWKS: JSON.stringify(leaked) })).toThrow(/public keys only/);
    expect(() => keyVerifierConfigFromEnv({})).toThrow(/COMPOSE_KEYS_JWKS/);
  });

  it('never puts the token in an error', async () => {
    const signingKey = await ensureDevSigningKey(dataDir);
    const { token } = await mintKey({ signingKey, budget: 1n, issuer: 'someone-else' });
    const error = await createKeyVerifier(config()).verify(token).catch((e: unknown) => e as Error);
    expect(JSON.stringify((error as unknown as { toBody(): unknown }).toBody())).not.toContain(token.slice(10, 40));
    expect((error as Error).message).not.toContain(token.slice(10, 40));
  });
});

describe('Compose Key ids', () => {
  it('never start with a dash, which a CLI would read as an option (one in 64 did)', () => {
    const ids = Array.from({ length: 5_000 }, newKeyId);
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
