import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { startVertexSimulator, type VertexSimulator } from '../../infra/local/simulators/vertex/server.ts';
import { createTestServiceAccount } from '../../infra/local/simulators/vertex/service-account.ts';
import { createAccessTokenSource } from '../../layers/providers/vertex/access-token.ts';
import { CLOUD_PLATFORM_SCOPE, signJwtAssertion } from '../../layers/providers/vertex/jwt-assertion.ts';
import { createVertexAdapter } from '../../layers/providers/vertex/model.ts';
import { parseServiceAccount } from '../../layers/providers/vertex/service-account.ts';
import type { ProviderTransport } from '../../layers/providers/types.ts';
import { callOptions, textOf, user } from '../support/providers-gemini.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

const links = new Map<VertexSimulator, InMemoryHttp>();
afterEach(async () => {
  const started = [...links];
  links.clear();
  await Promise.all(
    started.map(([sim, link]) => {
      link.close();
      return sim.close();
    }),
  );
});

const start = async (options: Parameters<typeof startVertexSimulator>[0] = {}): Promise<VertexSimulator> => {
  const sim = await startVertexSimulator({ ...options, listen: false });
  links.set(sim, inMemoryHttp(sim));
  return sim;
};

/** The fetch that reaches `sim` (its API and its token endpoint). */
const fetchOf = (sim: VertexSimulator): ProviderFetch => links.get(sim)!.fetch;

const ask = (adapter: ReturnType<typeof createVertexAdapter>, text = 'ping') =>
  adapter.generate({ model: 'gemini-2.0-flash', messages: [user(text)] }, callOptions()).then(textOf);

const transportFor = (sim: VertexSimulator, overrides: Partial<ProviderTransport> = {}): ProviderTransport => ({
  baseURL: sim.url,
  apiKey: () => sim.serviceAccountJson!,
  options: { location: 'global' },
  fetch: fetchOf(sim),
  ...overrides,
});

describe('the JWT bearer assertion', () => {
  it('is RS256-signed, issued by the client email, for the cloud-platform scope, addressed to the token URL, valid for an hour', async () => {
    const account = createTestServiceAccount();
    const key = parseServiceAccount(account.json);
    const assertion = await signJwtAssertion(key, 'http://127.0.0.1:1/token', 1_700_000_000);
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.privateKeyId });
    expect(decodeJwt(assertion)).toEqual({
      iss: account.clientEmail,
      scope: CLOUD_PLATFORM_SCOPE,
      aud: 'http://127.0.0.1:1/token',
      iat: 1_700_000_000,
      exp: 1_700_003_600,
    });
  });
});

describe('Vertex access tokens', () => {
  it('mints one token and reuses it across calls', async () => {
    const sim = await start();
    const adapter = createVertexAdapter(transportFor(sim));
    expect(await ask(adapter, 'one')).toBe('Echo: one');
    expect(await ask(adapter, 'two')).toBe('Echo: two');
    expect(await ask(adapter, 'three')).toBe('Echo: three');
    expect(sim.tokensIssued()).toBe(1);
  });

  it('shares one in-flight refresh between concurrent callers', async () => {
    const sim = await start();
    const adapter = createVertexAdapter(transportFor(sim));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, index) => ask(adapter, `caller ${index}`)));
    expect(answers).toEqual(Array.from({ length: 8 }, (_, index) => `Echo: caller ${index}`));
    expect(sim.tokensIssued()).toBe(1);
  });

  it('refreshes shortly before expiry, by the injected clock', async () => {
    const sim = await start();
    let now = Date.now();
    const adapter = createVertexAdapter(transportFor(sim), { now: () => now });
    await ask(adapter);
    now += 50 * 60_000; // 50 of the token's 60 minutes: still comfortably valid
    await ask(adapter);
    expect(sim.tokensIssued()).toBe(1);
    now += 6 * 60_000; // inside the five-minute refresh margin
    await ask(adapter);
    expect(sim.tokensIssued()).toBe(2);
  });

  it('refreshes every call when tokens live shorter than the refresh margin', async () => {
    const sim = await start({ tokenLifetimeSeconds: 60 });
    const adapter = createVertexAdapter(transportFor(sim));
    await ask(adapter);
    await ask(adapter);
    expect(sim.tokensIssued()).toBe(2);
  });

  it('mints a fresh token and retries once when the provider rejects a cached one (401)', async () => {
    const sim = await start();
    const adapter = createVertexAdapter(transportFor(sim));
    await ask(adapter);
    sim.revokeTokens();
    expect(await ask(adapter, 'after revocation')).toBe('Echo: after revocation');
    expect(sim.tokensIssued()).toBe(2);
  });

  it('uses the token endpoint override instead of the key’s token_uri, and the override is the audience', async () => {
    const account = createTestServiceAccount({ projectId: 'override-project' }); // token_uri: Google's, never contacted
    const sim = await start({ serviceAccount: account });
    const adapter = createVertexAdapter(transportFor(sim, { apiKey: () => account.json, options: { location: 'global', tokenUrl: sim.tokenUrl } }));
    expect(await ask(adapter)).toBe('Echo: ping');
    expect(sim.requests.at(-1)!.path).toContain('/projects/override-project/locations/global/');
  });

  it('fails with upstream_auth_failed when the token endpoint refuses the signature', async () => {
    const trusted = createTestServiceAccount();
    const impostor = createTestServiceAccount({ clientEmail: trusted.clientEmail, projectId: trusted.projectId });
    const sim = await start({ serviceAccount: trusted });
    const adapter = createVertexAdapter(transportFor(sim, { apiKey: () => impostor.json, options: { tokenUrl: sim.tokenUrl } }));
    await expect(ask(adapter)).rejects.toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    expect(sim.tokensIssued()).toBe(0);
    expect(sim.requests.length).toBe(0);
  });

  it('does not cache a failed refresh', async () => {
    const sim = await start();
    let tokenUrl = `${sim.url}/not-the-token-endpoint`;
    const source = createAccessTokenSource({ fetch: fetchOf(sim) });
    const key = parseServiceAccount(sim.serviceAccountJson!);
    await expect(source.token(key, tokenUrl)).rejects.toBeDefined();
    tokenUrl = sim.tokenUrl;
    await expect(source.token(key, tokenUrl)).resolves.toMatch(/^ya29\./);
  });
});
