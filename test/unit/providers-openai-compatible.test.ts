/**
 * Every provider of the OpenAI-compatible family against the simulator flavor that speaks its wire format,
 * over in-memory HTTP connections (support/in-memory-http.ts: the simulator's own server, no socket): URL and
 * auth, plain and streamed text, tool calls, structured output, reasoning, usage, finish reasons, and each
 * provider's error bodies mapped to the gateway's codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import type { FlavorName } from '../../infra/local/simulators/openai-compatible/flavors.ts';
import { createTextAdapter } from '../../layers/providers/registry.ts';
import type { ProviderId, TextModelAdapter } from '../../layers/providers/types.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import {
  callOptions,
  collect,
  finishOf,
  partsOfType,
  reasoningOf,
  satisfies,
  textOf,
  toolCallsOf,
  usageOf,
  user,
  WEATHER_PARAMETERS,
} from '../support/providers-openai-compatible.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

interface ProviderCase {
  readonly provider: ProviderId;
  readonly flavor: FlavorName;
  readonly model: string;
  readonly reasoningModel: string;
  /** Path and query the provider's chat completions endpoint has for `model`. */
  readonly endpoint: (model: string) => string;
  readonly authHeader: (key: string) => Record<string, string>;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const CASES: readonly ProviderCase[] = [
  { provider: 'openai', flavor: 'openai', model: 'gpt-4o-mini', reasoningModel: 'o4-mini', endpoint: () => '/v1/chat/completions', authHeader: bearer },
  {
    provider: 'azure',
    flavor: 'azure',
    model: 'gpt-4o-prod',
    reasoningModel: 'o3-mini',
    endpoint: (model) => `/openai/deployments/${model}/chat/completions?api-version=2025-04-01-preview`,
    authHeader: (key) => ({ 'api-key': key }),
  },
  {
    provider: 'fireworks',
    flavor: 'fireworks',
    model: 'accounts/fireworks/models/llama-v3p1-8b-instruct',
    reasoningModel: 'accounts/fireworks/models/deepseek-r1',
    endpoint: () => '/inference/v1/chat/completions',
    authHeader: bearer,
  },
  { provider: 'aiml', flavor: 'aiml', model: 'gpt-4o', reasoningModel: 'deepseek/deepseek-r1', endpoint: () => '/v1/chat/completions', authHeader: bearer },
  {
    provider: 'hugging face',
    flavor: 'huggingface',
    model: 'meta-llama/Llama-3.1-8B-Instruct:cerebras',
    reasoningModel: 'deepseek-ai/DeepSeek-R1:novita',
    endpoint: () => '/v1/chat/completions',
    authHeader: bearer,
  },
  { provider: 'alibaba', flavor: 'alibaba', model: 'qwen-turbo', reasoningModel: 'qwq-plus', endpoint: () => '/compatible-mode/v1/chat/completions', authHeader: bearer },
  {
    provider: 'cloudflare',
    flavor: 'cloudflare',
    model: '@cf/meta/llama-3.1-8b-instruct',
    reasoningModel: '@cf/deepseek-ai/deepseek-r1-distill-qwen-32b',
    endpoint: () => '/client/v4/accounts/0123456789abcdef0123456789abcdef/ai/v1/chat/completions',
    authHeader: bearer,
  },
  { provider: 'asicloud', flavor: 'asicloud', model: 'google/gemma-3-27b-it', reasoningModel: 'deepseek-ai/DeepSeek-R1', endpoint: () => '/v1/chat/completions', authHeader: bearer },
];

describe.each(CASES)('$provider', (c) => {
  const key = `key-${c.flavor}-0123456789`;
  let sim: OpenAICompatibleSimulator;
  let link: InMemoryHttp;
  let adapter: TextModelAdapter;
  beforeAll(async () => {
    sim = await startOpenAICompatibleSimulator({ flavor: c.flavor, apiKey: key, listen: false });
    link = inMemoryHttp(sim);
    adapter = createTextAdapter(c.provider, { baseURL: sim.url, apiKey: () => key, options: sim.transportOptions, maxRetries: 0, fetch: link.fetch });
  });
  afterAll(() => {
    link.close();
    return sim.close();
  });

  const lastRequest = () => sim.requests.at(-1);
  const lastBody = () => lastRequest()?.body as Record<string, unknown>;

  it('answers a plain call at the provider URL with its auth', async () => {
    const options = callOptions();
    const parts = await adapter.generate({ model: c.model, messages: [user(`hello ${c.provider}`)] }, options);
    expect(textOf(parts)).toBe(`You said: hello ${c.provider}`);
    expect(finishOf(parts)).toEqual({ unified: 'stop', raw: 'stop' });
    expect(usageOf(parts)).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
    expect(partsOfType(parts, 'response-metadata')[0]).toMatchObject({ model: c.model });
    const request = lastRequest();
    expect(`${request?.path}${request?.search}`).toBe(c.endpoint(c.model));
    expect(request?.headers).toMatchObject({ ...c.authHeader(key), 'x-client-request-id': options.requestId });
    expect(lastBody()).not.toHaveProperty('stream');
  });

  it('leaves out a request id that is not a valid header value', async () => {
    await adapter.generate({ model: c.model, messages: [user('id')] }, callOptions({ requestId: 'naïve id\r\n' }));
    expect(lastRequest()?.headers).not.toHaveProperty('x-client-request-id');
  });

  it('streams text, then usage, then the finish', async () => {
    const parts = await collect(await adapter.stream({ model: c.model, messages: [user('stream this please')] }, callOptions()));
    expect(textOf(parts)).toBe('You said: stream this please');
    expect(partsOfType(parts, 'text-delta').length).toBeGreaterThan(1);
    expect(parts.slice(-2).map((part) => part.type)).toEqual(['usage', 'finish']);
    expect(lastBody()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('streams a tool call whose reassembled arguments satisfy the schema', async () => {
    const parts = await collect(
      await adapter.stream(
        {
          model: c.model,
          messages: [user('What is the weather? city=Paris')],
          tools: [{ type: 'function', name: 'get_weather', parameters: WEATHER_PARAMETERS }],
          toolChoice: 'required',
        },
        callOptions(),
      ),
    );
    const [call, ...others] = toolCallsOf(parts);
    expect(others).toEqual([]);
    expect(call?.name).toBe('get_weather');
    expect(call?.id).toMatch(/^call_/);
    const args: unknown = JSON.parse(call?.arguments ?? '');
    expect(args).toMatchObject({ city: 'Paris' });
    expect(satisfies(WEATHER_PARAMETERS, args)).toBe(true);
    expect(partsOfType(parts, 'tool-call-delta').length).toBeGreaterThan(2);
    expect(finishOf(parts)).toEqual({ unified: 'tool_calls', raw: 'tool_calls' });
  });

  it('returns a JSON document that validates against a json_schema', async () => {
    const schema = { type: 'object', properties: { title: { type: 'string' }, score: { type: 'integer', minimum: 3 } }, required: ['title', 'score'], additionalProperties: false };
    const parts = await adapter.generate(
      { model: c.model, messages: [user('Rate it.')], responseFormat: { type: 'json_schema', name: 'rating', schema, strict: true } },
      callOptions(),
    );
    expect(satisfies(schema, JSON.parse(textOf(parts)))).toBe(true);
    expect(lastBody()['response_format']).toEqual({ type: 'json_schema', json_schema: { name: 'rating', schema, strict: true } });
  });

  it('streams reasoning from a reasoning model and reports its tokens', async () => {
    const parts = await collect(await adapter.stream({ model: c.reasoningModel, messages: [user('Think first.')], reasoning: { effort: 'high' } }, callOptions()));
    expect(reasoningOf(parts)).toContain('Think first.');
    expect(textOf(parts)).toBe('You said: Think first.');
    expect(usageOf(parts)?.reasoningTokens).toBeGreaterThan(0);
  });

  it('stops at the token limit with finish reason length', async () => {
    const parts = await adapter.generate({ model: c.model, messages: [user('a long answer would be nice here')], maxOutputTokens: 2 }, callOptions());
    expect(textOf(parts)).toBe('You said');
    expect(finishOf(parts)).toEqual({ unified: 'length', raw: 'length' });
  });

  it('maps a refused key to upstream_auth_failed (502)', async () => {
    const wrong = createTextAdapter(c.provider, { baseURL: sim.url, apiKey: () => 'wrong-key-0000', options: sim.transportOptions, maxRetries: 0, fetch: link.fetch });
    await expect(wrong.generate({ model: c.model, messages: [user('hi')] }, callOptions())).rejects.toMatchObject({ status: 502, code: 'upstream_auth_failed' });
  });

  it('passes a bad-request message through with keys and URLs redacted', async () => {
    const failure = await adapter.generate({ model: c.model, messages: [user('SIM_FAULT=leak')] }, callOptions()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ status: 400, code: 'upstream_bad_request' });
    const message = (failure as UpstreamError).message;
    expect(message).toContain('Upstream rejected the call');
    expect(message).not.toContain(key);
    expect(message).not.toMatch(/sim\.example\.com|https?:/);
  });

  it('replaces a content-filter rejection with a generic 400 content_filter', async () => {
    const failure = await adapter.generate({ model: c.model, messages: [user('SIM_FAULT=content-filter')] }, callOptions()).catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 400, code: 'content_filter', message: "The request was blocked by the provider's content filter." });
  });

  it('reports a model the provider does not have as a gateway fault', async () => {
    const model = c.model.replace(/[^/]+$/, 'not-found-model');
    const failure = await adapter.generate({ model, messages: [user('hi')] }, callOptions()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).status).toBeGreaterThanOrEqual(400);
    expect((failure as UpstreamError).code).toMatch(/^upstream_(unavailable|bad_request)$/);
  });
});
