/**
 * Where provider keys and settings come from, and how the registry turns them into adapters: environment
 * locally; one Secrets Manager secret when deployed (read lazily through the real SDK client against a
 * loopback Secrets Manager, cached, re-read after its TTL); simulators for every provider without a key.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorEnv, startSimulatorsForMissingKeys } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { createAdapterResolver, createTextAdapter, transportFor, transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import { callOptions, textOf, user } from '../support/providers-openai-compatible.ts';

/** A loopback Secrets Manager: GetSecretValue over the awsJson1_1 protocol, with a swappable secret. */
let secretsServer: Server;
let secretString = '{}';
let reads = 0;
let failNext = false;
let secretsClient: SecretsManagerClient;
beforeAll(async () => {
  secretsServer = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      reads += 1;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return void res.writeHead(400).end('{"__type":"UnknownOperationException"}');
      if (failNext) {
        failNext = false;
        return void res.writeHead(400).end('{"__type":"ResourceNotFoundException","message":"Secrets Manager can\'t find the specified secret."}');
      }
      res.writeHead(200).end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:compose/test/providers', Name: 'compose/test/providers', SecretString: secretString }));
    });
  });
  await new Promise<void>((resolve) => secretsServer.listen(0, '127.0.0.1', resolve));
  secretsClient = new SecretsManagerClient({
    endpoint: `http://127.0.0.1:${(secretsServer.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(() => new Promise<void>((resolve) => secretsServer.close(() => resolve())));

describe('keys and settings from the environment', () => {
  const env = {
    OPENAI_API_KEY: 'sk-env',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    AZURE_OPENAI_API_KEY: 'az-env',
    AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com',
    AZURE_OPENAI_API_VERSION: '2024-10-21',
    CLOUDFLARE_API_TOKEN: 'cf-env',
    CLOUDFLARE_ACCOUNT_ID: 'acct',
    FIREWORKS_API_KEY: '  ',
  };
  const credentials = createProviderCredentials({ env });

  it('reads each provider key by its variable', async () => {
    expect(await credentials.apiKey('openai')).toBe('sk-env');
    expect(await credentials.apiKey('azure')).toBe('az-env');
    expect(credentials.hasEnvironmentKey('cloudflare')).toBe(true);
    expect(credentials.hasEnvironmentKey('fireworks')).toBe(false);
  });

  it('reads base URL overrides and provider options', () => {
    expect(credentials.settings('openai')).toEqual({ baseURL: 'http://127.0.0.1:9/v1', options: {} });
    expect(credentials.settings('azure')).toEqual({ baseURL: 'https://res.openai.azure.com', options: { apiVersion: '2024-10-21' } });
    expect(credentials.settings('cloudflare')).toEqual({ baseURL: undefined, options: { accountId: 'acct' } });
  });

  it('refuses a provider without a key with provider_not_configured (503)', async () => {
    const failure = await credentials.apiKey('fireworks').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ status: 503, code: 'provider_not_configured' });
  });

  it('builds transports with the default base URL unless overridden', () => {
    expect(transportFor('openai', credentials).baseURL).toBe('http://127.0.0.1:9/v1');
    expect(transportFor('cloudflare', credentials)).toMatchObject({ baseURL: 'https://api.cloudflare.com/client/v4', options: { accountId: 'acct' } });
    expect(transportFor('fireworks', credentials, { timeoutMs: 5 })).toMatchObject({ baseURL: 'https://api.fireworks.ai/inference/v1', timeoutMs: 5 });
    expect(transportOverridesFromEnv({ PROVIDER_TIMEOUT_MS: '30000', PROVIDER_MAX_RETRIES: '0' })).toEqual({ timeoutMs: 30000, maxRetries: 0 });
  });

  it('refuses to call a provider whose endpoint or settings are missing with provider_not_configured', async () => {
    const azure = createTextAdapter('azure', transportFor('azure', createProviderCredentials({ env: { AZURE_OPENAI_API_KEY: 'k' } })));
    await expect(azure.generate({ model: 'gpt-4o', messages: [user('hi')] }, callOptions())).rejects.toMatchObject({ status: 503, code: 'provider_not_configured' });
    const cloudflare = createTextAdapter('cloudflare', transportFor('cloudflare', createProviderCredentials({ env: { CLOUDFLARE_API_TOKEN: 't' } })));
    await expect(cloudflare.generate({ model: '@cf/x', messages: [user('hi')] }, callOptions())).rejects.toMatchObject({ status: 503, code: 'provider_not_configured' });
  });

  it('serves only the providers it has text adapters for', () => {
    expect(() => createTextAdapter('deepgram', { baseURL: '', apiKey: () => 'k' })).toThrow(UpstreamError);
  });
});

describe('keys from one Secrets Manager secret', () => {
  const env = { PROVIDER_SECRETS_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:compose/test/providers', OPENAI_API_KEY: 'sk-env', HF_TOKEN: 'hf-env' };

  it('reads lazily, caches, and prefers the secret over the environment', async () => {
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-from-secret' });
    const start = reads;
    const credentials = createProviderCredentials({ env, secretsClient });
    expect(reads).toBe(start);
    expect(await Promise.all([credentials.apiKey('openai'), credentials.apiKey('openai')])).toEqual(['sk-from-secret', 'sk-from-secret']);
    expect(await credentials.apiKey('hugging face')).toBe('hf-env');
    expect(reads - start).toBe(1);
  });

  it('reads again after the cache TTL, so a rotated key applies', async () => {
    let now = 0;
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-old' });
    const credentials = createProviderCredentials({ env, secretsClient, cacheTtlMs: 1000, now: () => now });
    expect(await credentials.apiKey('openai')).toBe('sk-old');
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-rotated' });
    now = 500;
    expect(await credentials.apiKey('openai')).toBe('sk-old');
    now = 1500;
    expect(await credentials.apiKey('openai')).toBe('sk-rotated');
  });

  it('does not cache a failed read, and hides the SDK error from clients', async () => {
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-after-failure' });
    const credentials = createProviderCredentials({ env, secretsClient });
    failNext = true;
    const failure = await credentials.apiKey('openai').catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 500, code: 'internal_error' });
    expect(await credentials.apiKey('openai')).toBe('sk-after-failure');
  });

  it('takes the client as a loader, called on the first read and not before, once for concurrent reads', async () => {
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-loaded' });
    let loads = 0;
    const credentials = createProviderCredentials({
      env,
      secretsClient: async () => {
        loads += 1;
        return secretsClient;
      },
    });
    expect(loads).toBe(0);
    expect(await Promise.all([credentials.apiKey('openai'), credentials.secretValue('OPENAI_API_KEY')])).toEqual(['sk-loaded', 'sk-loaded']);
    expect(loads).toBe(1);
  });

  it('asks a loader that failed again on the next read, and hides its error from clients', async () => {
    secretString = JSON.stringify({ OPENAI_API_KEY: 'sk-second-load' });
    let loads = 0;
    const credentials = createProviderCredentials({
      env,
      secretsClient: async () => {
        loads += 1;
        if (loads === 1) throw new Error('module load failed');
        return secretsClient;
      },
    });
    expect(await credentials.apiKey('openai').catch((error: unknown) => error)).toMatchObject({ status: 500, code: 'internal_error' });
    expect(await credentials.apiKey('openai')).toBe('sk-second-load');
    expect(loads).toBe(2);
  });

  it('needs a client when a secret is named', () => {
    expect(() => createProviderCredentials({ env })).toThrow(/Secrets Manager client/);
  });
});

describe('the local runtime', () => {
  // Over loopback TCP on purpose: this is npm start's wiring, simulators listening and adapters on the default transport.
  it('starts a simulator for every provider without a key and routes it there', async () => {
    const local = await startSimulatorsForMissingKeys({ OPENAI_API_KEY: 'sk-real-key' });
    try {
      expect([...local.simulators.keys()].sort()).toEqual(['aiml', 'alibaba', 'asicloud', 'azure', 'cloudflare', 'fireworks', 'hugging face']);
      expect(local.env).not.toHaveProperty('OPENAI_BASE_URL');
      expect(local.env).toMatchObject({ AZURE_OPENAI_API_VERSION: '2025-04-01-preview', CLOUDFLARE_ACCOUNT_ID: '0123456789abcdef0123456789abcdef' });
      expect(local.banner.find((line) => line.startsWith('fireworks:'))).toContain('FIREWORKS_API_KEY');

      const adapterFor = createAdapterResolver(createProviderCredentials({ env: { ...local.env } }), { maxRetries: 0 });
      expect(adapterFor('azure')).toBe(adapterFor('azure'));
      for (const [provider, model] of [
        ['azure', 'gpt-4o'],
        ['cloudflare', '@cf/meta/llama-3.1-8b-instruct'],
        ['fireworks', 'accounts/fireworks/models/llama-v3p1-8b-instruct'],
        ['hugging face', 'meta-llama/Llama-3.1-8B-Instruct'],
      ] as const) {
        const parts = await adapterFor(provider).generate({ model, messages: [user(`via ${provider}`)] }, callOptions());
        expect(textOf(parts)).toBe(`You said: via ${provider}`);
      }
    } finally {
      await local.close();
    }
  });

  it('names the variables a provider simulator needs', async () => {
    const local = await startSimulatorsForMissingKeys({});
    try {
      const azure = local.simulators.get('azure');
      expect(azure && simulatorEnv('azure', azure)).toEqual({
        AZURE_OPENAI_API_KEY: 'sim-azure-key',
        AZURE_OPENAI_BASE_URL: azure?.url,
        AZURE_OPENAI_API_VERSION: '2025-04-01-preview',
      });
    } finally {
      await local.close();
    }
  });
});
