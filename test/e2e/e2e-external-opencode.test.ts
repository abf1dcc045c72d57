/**
 * The OpenCode documents, read as OpenCode reads them: `/external/opencode` is an `opencode.json` declaring Compose
 * as a custom `@ai-sdk/openai-compatible` provider, and `/.well-known/opencode` is what `opencode auth login <url>`
 * fetches — a command whose output OpenCode stores as the token and exposes as `auth.env`, and the same config.
 * Neither document may carry a key: the key reaches OpenCode through the `{env:…}` placeholder only.
 */
import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sharedExternalGateway, type ExternalGateway } from '../support/external-gateway.ts';
import { expectMatchesContract } from '../support/openapi.ts';

/**
 * The documented shape of a custom provider in OpenCode's config. OpenCode's provider and top-level config
 * schemas are strict — an unknown key fails the whole config — so these are too.
 */
const ENV_PLACEHOLDER = /^\{env:([A-Z_][A-Z0-9_]*)\}$/;
const OpenCodeModel = z.strictObject({
  name: z.string().min(1),
  limit: z.strictObject({ context: z.number().int().positive(), output: z.number().int().positive() }).optional(),
  // Capability flags OpenCode takes from models.dev's model schema.
  tool_call: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  attachment: z.boolean().optional(),
  temperature: z.boolean().optional(),
});
const OpenCodeProvider = z.strictObject({
  npm: z.literal('@ai-sdk/openai-compatible'),
  name: z.string().min(1),
  options: z.strictObject({ baseURL: z.url(), apiKey: z.string().regex(ENV_PLACEHOLDER) }),
  models: z.record(z.string(), OpenCodeModel).refine((models) => Object.keys(models).length > 0, 'no models'),
});
const OpenCodeConfig = z.strictObject({
  $schema: z.string().optional(),
  provider: z.record(z.string(), OpenCodeProvider),
});
const OpenCodeWellKnown = z.strictObject({
  auth: z.strictObject({ command: z.array(z.string()).min(1), env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }),
  config: z.unknown(),
});

let gateway: ExternalGateway;

beforeAll(async () => {
  gateway = await sharedExternalGateway();
});
afterAll(async () => {
  await gateway?.close();
});

/** A public document: fetched with no credential, as OpenCode does. */
const document = async (path: string): Promise<{ json: unknown; text: string }> => {
  const response = await gateway.anonymous(path);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { json: JSON.parse(text), text };
};

/** A GET with a chosen Host header, which fetch does not let a caller set. */
const getWithHost = (path: string, host: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(gateway.url);
    const req = httpRequest({ hostname, port, path, headers: { host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    req.on('error', reject);
    req.end();
  });

/** Everything in either document that would be a credential. */
const expectNoKey = (text: string): void => {
  expect(text).not.toContain(gateway.apiKey);
  expect(text).not.toMatch(/compose-[A-Za-z0-9_-]{16,}|Bearer\s|sk-[A-Za-z0-9]{8,}/);
  // The simulators' keys, from the shared runtime's endpoints file: without them this check would pass vacuously.
  expect(Object.keys(gateway.env).filter((name) => /KEY|TOKEN|SECRET/i.test(name)).length).toBeGreaterThan(0);
  for (const [name, value] of Object.entries(gateway.env)) {
    if (/KEY|TOKEN|SECRET/i.test(name) && value.length >= 8 && !value.startsWith('{') && !value.startsWith('[')) expect(text).not.toContain(value);
  }
};

describe('/external/opencode', () => {
  it('parses as an OpenCode provider config for @ai-sdk/openai-compatible on /external/v1, with an env placeholder for the key', async () => {
    const { json, text } = await document('/external/opencode');
    expectMatchesContract('/external/opencode', 'get', 200, json);
    const config = OpenCodeConfig.parse(json);

    expect(Object.keys(config.provider)).toEqual(['compose']);
    const compose = config.provider.compose!;
    expect(compose.options.baseURL).toBe(gateway.baseURL);
    expect(compose.options.apiKey).toMatch(ENV_PLACEHOLDER);
    expect(compose.models).toHaveProperty(['gpt-4o-mini']);
    expect(compose.models).toHaveProperty(['accounts/fireworks/models/kimi-k2-instruct']);
    expectNoKey(text);
  });

  it('names a base URL whose /models serves every model it declares', async () => {
    const config = OpenCodeConfig.parse((await document('/external/opencode')).json);
    const { options, models } = config.provider.compose!;

    const response = await fetch(`${options.baseURL}/models`, { headers: { authorization: `Bearer ${gateway.apiKey}` } });
    expect(response.status).toBe(200);
    const list = (await response.json()) as { object: string; data: { id: string }[] };
    expectMatchesContract('/external/v1/models', 'get', 200, list);
    const served = new Set(list.data.map((m) => m.id));
    expect(Object.keys(models).filter((id) => !served.has(id))).toEqual([]);
  });

  it('points at the stage on API Gateway’s default endpoint, where the API lives under /{stage}', async () => {
    const host = 'abc123defg.execute-api.us-east-1.amazonaws.com';
    const config = OpenCodeConfig.parse(JSON.parse(await getWithHost('/external/opencode', host)));
    expect(config.provider.compose!.options.baseURL).toBe(`https://${host}/local/external/v1`);

    const custom = OpenCodeConfig.parse(JSON.parse(await getWithHost('/external/opencode', 'api.example.com')));
    expect(custom.provider.compose!.options.baseURL).toBe('https://api.example.com/external/v1');
  });
});

describe('/.well-known/opencode', () => {
  it('has an auth command and variable, and the provider config as its config', async () => {
    const { json, text } = await document('/.well-known/opencode');
    expectMatchesContract('/.well-known/opencode', 'get', 200, json);
    const wellKnown = OpenCodeWellKnown.parse(json);

    expect(wellKnown.config).toEqual((await document('/external/opencode')).json);
    const config = OpenCodeConfig.parse(wellKnown.config);
    expect(config.provider.compose!.options.apiKey).toBe(`{env:${wellKnown.auth.env}}`);
    expectNoKey(text);
  });

  it('logs in as OpenCode does: the command prints the key the user holds, and the substituted config reaches the gateway', async () => {
    const wellKnown = OpenCodeWellKnown.parse((await document('/.well-known/opencode')).json);
    const [command, ...args] = wellKnown.auth.command;
    const token = execFileSync(command!, args, { env: { PATH: process.env.PATH, [wellKnown.auth.env]: gateway.apiKey }, encoding: 'utf8' });
    expect(token).toBe(gateway.apiKey);

    // OpenCode sets auth.env to the stored token and substitutes `{env:…}` in the config's text before parsing it.
    const substituted = JSON.stringify(wellKnown.config).replace(/\{env:([A-Z_][A-Z0-9_]*)\}/g, (_, name: string) =>
      name === wellKnown.auth.env ? token : '',
    );
    const { options } = (JSON.parse(substituted) as { provider: { compose: { options: { baseURL: string; apiKey: string } } } }).provider.compose;
    const response = await fetch(`${options.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello from OpenCode' }] }),
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]!.message.content).toBe('You said: Hello from OpenCode');
  });
});
