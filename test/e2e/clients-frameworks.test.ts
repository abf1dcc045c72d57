/**
 * The reference-client suite, part two: the frameworks people put in front of an OpenAI-compatible endpoint —
 * LangChain JS (`@langchain/openai`) and the Vercel AI SDK (`ai` + `@ai-sdk/openai-compatible`) — against both
 * base URLs, configured only with a base URL and a key, as their docs show.
 *
 * The Vercel AI SDK reads past `data: [DONE]`, so on native streams it also parses the `compose.receipt` frame
 * that follows it: the frame is chunk-shaped (`choices: []`) precisely so that this parser accepts it, and
 * these tests fail if it ever surfaces as an error part.
 *
 * OpenCode (`opencode-ai` on npm), with the config the gateway serves at /external/opencode, runs here when the
 * CLI is installed (node_modules/.bin/opencode, or OPENCODE_BIN). It cannot be a devDependency here: `opencode-ai`
 * lists a binary package per platform as optional dependencies, the registry these machines reach serves only the
 * linux-x64 ones, so the lock file cannot name the others and `npm ci` refuses it as out of sync. Tried outside the repo
 * (opencode-ai 1.18.33), it answers through /external/v1 with nothing fetched from the internet provided that
 * its home is a fresh temp directory, models.dev and update checks are off (OPENCODE_DISABLE_MODELS_FETCH,
 * OPENCODE_DISABLE_AUTOUPDATE) and its first-run plugin install (@opencode-ai/plugin from the npm registry) is
 * pointed at a dead loopback registry, where it fails fast and harmlessly — as the test below runs it.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { embed, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';

let gateway: E2eRuntime;
beforeAll(async () => {
  gateway = await sharedE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

const BASES = ['/v1', '/external/v1'] as const;

describe.each(BASES)('LangChain (@langchain/openai) on %s', (base) => {
  const chatModel = (fields: Partial<ConstructorParameters<typeof ChatOpenAI>[0]> = {}) =>
    new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: gateway.apiKey, configuration: { baseURL: `${gateway.url}${base}` }, maxRetries: 0, ...fields });

  it('invokes a chat model', async () => {
    const message = await chatModel().invoke('Hello from LangChain');
    expect(message.content).toBe('You said: Hello from LangChain');
    expect(message.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('streams a chat model', async () => {
    let text = '';
    for await (const chunk of await chatModel({ streaming: true }).stream('Stream from LangChain')) text += String(chunk.content);
    expect(text).toBe('You said: Stream from LangChain');
  });

  it('names a provider in the model (openai/gpt-4o-mini)', async () => {
    const message = await chatModel({ model: 'openai/gpt-4o-mini' }).invoke('Routed');
    expect(message.content).toBe('You said: Routed');
  });

  it('invokes and streams through the Responses API (useResponsesApi)', async () => {
    const responses = chatModel({ useResponsesApi: true });
    expect((await responses.invoke('Hello, Responses')).text).toBe('You said: Hello, Responses');
    let text = '';
    for await (const chunk of await chatModel({ useResponsesApi: true, streaming: true }).stream('Stream, Responses')) text += chunk.text;
    expect(text).toBe('You said: Stream, Responses');
  });

  it('calls bound tools', async () => {
    const withTools = chatModel().bindTools([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } },
    ]);
    const message = await withTools.invoke('Call get_weather for Paris');
    expect(message.tool_calls?.[0]?.name).toBe('get_weather');
  });

  it('embeds', async () => {
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: gateway.apiKey, configuration: { baseURL: `${gateway.url}${base}` }, maxRetries: 0 });
    const vector = await embeddings.embedQuery('a sentence');
    expect(vector.length).toBeGreaterThan(0);
  });
});

describe.each(BASES)('the Vercel AI SDK (@ai-sdk/openai-compatible) on %s', (base) => {
  const provider = () => createOpenAICompatible({ name: 'compose', baseURL: `${gateway.url}${base}`, apiKey: gateway.apiKey, includeUsage: true });

  it('generates text', async () => {
    const { text, usage } = await generateText({ model: provider()('gpt-4o-mini'), prompt: 'Hello from the AI SDK', maxRetries: 0 });
    expect(text).toBe('You said: Hello from the AI SDK');
    expect(usage.totalTokens).toBeGreaterThan(0);
  });

  it('streams text, reading past [DONE] without an error part', async () => {
    const result = streamText({ model: provider()('openai/gpt-4o-mini'), prompt: 'Stream from the AI SDK', maxRetries: 0 });
    const parts: { type: string }[] = [];
    for await (const part of result.fullStream) parts.push(part);
    expect(parts.filter((part) => part.type === 'error')).toEqual([]);
    expect(await result.text).toBe('You said: Stream from the AI SDK');
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
    expect(await result.finishReason).toBe('stop');
  });

  it('runs a tool and answers from its result', async () => {
    const { text, steps } = await generateText({
      model: provider()('gpt-4o-mini'),
      prompt: 'Call get_weather for Paris',
      tools: {
        get_weather: tool({
          description: 'Weather for a city.',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
          execute: async ({ city }) => `sunny in ${city}`,
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(steps.length).toBe(2);
    expect(text).toMatch(/^The tool get_weather returned /);
  });

  it('embeds', async () => {
    const { embedding } = await embed({ model: provider().textEmbeddingModel('text-embedding-3-small'), value: 'a sentence', maxRetries: 0 });
    expect(embedding.length).toBeGreaterThan(0);
  });
});

/** The project's opencode, or another install named by OPENCODE_BIN. */
const OPENCODE = process.env.OPENCODE_BIN ?? join(import.meta.dirname, '../..', 'node_modules', '.bin', 'opencode');

describe.skipIf(!existsSync(OPENCODE))('the opencode CLI with the served config', () => {
  it('answers a prompt through /external/v1, offline', async () => {
    const home = mkdtempSync(join(tmpdir(), 'opencode-home-'));
    try {
      const project = join(home, 'project');
      mkdirSync(project);
      const config = await (await fetch(`${gateway.url}/external/opencode`)).json();
      writeFileSync(join(project, 'opencode.json'), JSON.stringify(config));
      const env = {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_DATA_HOME: join(home, '.local', 'share'),
        XDG_CACHE_HOME: join(home, '.cache'),
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
        OPENCODE_DISABLE_SHARE: '1',
        // Its first-run plugin install must not reach the registry: a dead loopback port fails it at once.
        npm_config_registry: 'http://127.0.0.1:9/',
        COMPOSE_API_KEY: gateway.apiKey,
      };
      // stdin closed: `opencode run` reads a piped stdin as part of the message, and would wait on an open pipe.
      const child = spawn(OPENCODE, ['run', '--pure', '-m', 'compose/gpt-4o-mini', 'Say hello'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 110_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const [code] = (await once(child, 'close')) as [number | null];
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/You said: .*Say hello/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
