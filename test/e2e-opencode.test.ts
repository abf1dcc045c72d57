/**
 * The OpenCode documents: each parses as OpenCode parses its config, and the provider it declares, once OpenCode's
 * `{env:…}` substitution has put the Compose Key in, drives `@ai-sdk/openai-compatible` (the package it names)
 * through the gateway.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eRuntime, TEXT_MODELS, type E2eRuntime } from './support/e2e.ts';
import { expectMatchesContract } from './support/openapi.ts';
import { opencodeConfig, opencodeWellKnown, substituteEnv } from './support/opencode-config.ts';

let gateway: E2eRuntime;

beforeAll(async () => {
  gateway = await startE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

const getJson = async (path: string): Promise<unknown> => {
  const response = await fetch(`${gateway.url}${path}`);
  expect(response.status).toBe(200);
  return response.json();
};

describe('OpenCode documents', () => {
  it('/external/opencode declares Compose as an @ai-sdk/openai-compatible provider on /external/v1', async () => {
    const raw = await getJson('/external/opencode');
    expectMatchesContract('/external/opencode', 'get', 200, raw);
    const config = opencodeConfig.parse(raw);
    expect(config.$schema).toBe('https://opencode.ai/config.json');
    const compose = config.provider.compose!;
    expect(compose.npm).toBe('@ai-sdk/openai-compatible');
    expect(compose.options?.baseURL).toBe(`${gateway.url}/external/v1`);
    // No key in the document, only the variable OpenCode will read it from.
    expect(compose.options?.apiKey).toMatch(/^\{env:[A-Z_][A-Z0-9_]*\}$/);
    for (const { model } of TEXT_MODELS) expect(compose.models).toHaveProperty([model]);
    // Text models only: OpenCode cannot chat with an image or embeddings model.
    expect(compose.models).not.toHaveProperty(['dall-e-3']);
    expect(compose.models).not.toHaveProperty(['text-embedding-3-small']);
  });

  it('/.well-known/opencode carries the same config and says which variable holds the key', async () => {
    const raw = await getJson('/.well-known/opencode');
    expectMatchesContract('/.well-known/opencode', 'get', 200, raw);
    const wellKnown = opencodeWellKnown.parse(raw);
    expect(wellKnown.config).toEqual(await getJson('/external/opencode'));
    expect(wellKnown.config.provider.compose!.options?.apiKey).toBe(`{env:${wellKnown.auth.env}}`);
    expect(JSON.stringify(raw)).not.toContain(gateway.apiKey);
  });

  it('drives the AI SDK through the gateway once OpenCode has substituted the key', async () => {
    const wellKnown = opencodeWellKnown.parse(await getJson('/.well-known/opencode'));
    // What OpenCode does: the token `auth login` obtained is exposed as `auth.env`, then `{env:…}` is replaced.
    const text = substituteEnv(JSON.stringify(wellKnown.config), { [wellKnown.auth.env]: gateway.apiKey });
    const { npm, options, models } = opencodeConfig.parse(JSON.parse(text)).provider.compose!;
    expect(npm).toBe('@ai-sdk/openai-compatible');
    expect(options?.apiKey).toBe(gateway.apiKey);

    const compose = createOpenAICompatible({ name: 'compose', baseURL: options!.baseURL!, apiKey: options!.apiKey! });
    for (const model of ['gpt-4o-mini', 'accounts/fireworks/models/kimi-k2-instruct']) {
      expect(models).toHaveProperty([model]);
      const result = streamText({ model: compose.chatModel(model), prompt: 'Hello from OpenCode' });
      expect(await result.text).toBe('You said: Hello from OpenCode');
      expect(await result.finishReason).toBe('stop');
    }
  });
});
