import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVertexSimulator, type VertexSimulator } from '../../infra/local/simulators/vertex/server.ts';
import { createTestServiceAccount } from '../../infra/local/simulators/vertex/service-account.ts';
import { UpstreamError } from '../../layers/core/errors.ts';
import { vertexBaseURL, vertexModelUrl } from '../../layers/providers/vertex/endpoint.ts';
import { createVertexAdapter } from '../../layers/providers/vertex/model.ts';
import type { CanonicalRequest, ProviderTransport, StreamPart } from '../../layers/providers/types.ts';
import { WEATHER_TOOL, callOptions, collect, fetchWithFault, finishOf, partsOfType, reasoningOf, satisfies, textOf, user } from '../support/providers-gemini.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: VertexSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startVertexSimulator({ listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const MODEL = 'gemini-2.5-flash';

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createVertexAdapter({ baseURL: sim.url, apiKey: () => sim.serviceAccountJson!, options: { location: 'us-central1' }, fetch: link.fetch, ...transport });

const lastWireBody = (): Record<string, any> => sim.requests.at(-1)!.body as Record<string, any>;

const generate = (request: Partial<CanonicalRequest>, transport?: Partial<ProviderTransport>): Promise<StreamPart[]> =>
  adapter(transport).generate({ model: MODEL, messages: [user('Hello')], ...request }, callOptions());

const stream = async (request: Partial<CanonicalRequest>, transport?: Partial<ProviderTransport>): Promise<StreamPart[]> =>
  collect(await adapter(transport).stream({ model: MODEL, messages: [user('Hello')], ...request }, callOptions()));

const rejection = async (promise: Promise<unknown>): Promise<UpstreamError> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
};

describe('Vertex endpoints', () => {
  it('uses the regional host, and the bare host for the global location', () => {
    expect(vertexBaseURL('europe-west4')).toBe('https://europe-west4-aiplatform.googleapis.com');
    expect(vertexBaseURL('global')).toBe('https://aiplatform.googleapis.com');
  });

  it('addresses Google’s publisher models under the project and location, streaming over SSE', () => {
    expect(vertexModelUrl(vertexBaseURL('us-central1'), 'my-proj', 'us-central1', 'publishers/google/models/gemini-2.5-pro', 'streamGenerateContent')).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/my-proj/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    expect(vertexModelUrl(vertexBaseURL('global'), 'p', 'global', 'gemini-2.5-flash', 'generateContent')).toBe(
      'https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/google/models/gemini-2.5-flash:generateContent',
    );
  });
});

describe('Vertex adapter against the simulator', () => {
  it('answers on the project’s publisher path, the project taken from the key when options name none', async () => {
    const parts = await generate({ messages: [user('Hello Vertex')] });
    expect(sim.requests.at(-1)!.path).toBe(`/v1/projects/${sim.projectId}/locations/us-central1/publishers/google/models/${MODEL}:generateContent`);
    expect(textOf(parts)).toBe('Echo: Hello Vertex');
    expect(parts[0]).toEqual({ type: 'response-metadata', id: expect.any(String), model: MODEL, created: expect.any(Number) });
    expect(finishOf(parts)).toEqual({ unified: 'stop', raw: 'STOP' });
  });

  it('streams over SSE with the Gemini mapping: reasoning deltas, text deltas, usage with thoughts', async () => {
    const parts = await stream({ messages: [{ role: 'system', content: 'Be brief.' }, user('Why is grass green?')], reasoning: { effort: 'high', summary: 'detailed' } });
    expect(sim.requests.at(-1)!.path).toMatch(/:streamGenerateContent$/);
    expect(lastWireBody().systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
    expect(lastWireBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 24576, includeThoughts: true } });
    expect(reasoningOf(parts)).toContain('Why is grass green?');
    expect(textOf(parts)).toBe('Echo: Why is grass green?');
    const usage = partsOfType(parts, 'usage')[0]!.usage;
    expect(usage.reasoningTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(usage.reasoningTokens!);
  });

  it('sends explicit roles on every content, as Vertex requires, across a multi-turn conversation', async () => {
    const parts = await generate({ messages: [user('One'), { role: 'assistant', content: 'Two' }, user('Three')] });
    expect(lastWireBody().contents.map((content: { role: string }) => content.role)).toEqual(['user', 'model', 'user']);
    expect(textOf(parts)).toBe('Echo: Three (turn 2)');
  });

  it('round-trips a tool call and its result', async () => {
    const tools = [WEATHER_TOOL] as unknown as CanonicalRequest['tools'];
    const first = await stream({ messages: [user('Weather in Lima?')], tools });
    const call = partsOfType(first, 'tool-call-delta')[0]!;
    expect(satisfies(WEATHER_TOOL.parameters, JSON.parse(call.argumentsDelta))).toBe(true);
    expect(finishOf(first)?.unified).toBe('tool_calls');
    const parts = await generate({
      tools,
      messages: [
        user('Weather in Lima?'),
        { role: 'assistant', content: null, toolCalls: [{ id: call.id!, name: call.name!, arguments: call.argumentsDelta }] },
        { role: 'tool', toolCallId: call.id!, content: '{"sky":"grey"}' },
      ],
    });
    expect(textOf(parts)).toBe('Tool results: get_weather returned {"sky":"grey"}.');
  });

  it('returns JSON that satisfies the requested schema', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'integer', minimum: 3 } }, required: ['answer'] };
    const parts = await generate({ responseFormat: { type: 'json_schema', name: 'n', schema } });
    expect(satisfies(schema, JSON.parse(textOf(parts)))).toBe(true);
  });

  it('maps a safety block to content_filter', async () => {
    expect(finishOf(await stream({ messages: [user('SIM_BLOCK_PROMPT')] }))).toEqual({ unified: 'content_filter', raw: 'SAFETY' });
  });

  it('reports implicitly cached tokens', async () => {
    const opening = [user('A long shared preamble for the cache test, repeated verbatim.')];
    await generate({ messages: opening });
    const parts = await generate({ messages: [...opening, { role: 'assistant', content: 'ok' }, user('next')] });
    expect(partsOfType(parts, 'usage')[0]!.usage.cachedInputTokens).toBeGreaterThan(0);
  });
});

describe('Vertex adapter: errors', () => {
  it('maps a project the service account may not use (403) to upstream_auth_failed without naming the project', async () => {
    const error = await rejection(generate({}, { options: { project: 'someone-elses-project', location: 'us-central1' } }));
    expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    expect(error.message).not.toContain('someone-elses-project');
  });

  it('redacts the bearer token and URLs a provider error message leaks', async () => {
    const error = await rejection(generate({}, { fetch: fetchWithFault('leak', link.fetch) }));
    expect(error.code).toBe('upstream_bad_request');
    expect(error.message).not.toMatch(/ya29|https?:|projects\//);
  });

  it('maps an unknown publisher model (404) to upstream_unavailable', async () => {
    expect(await rejection(generate({ model: 'claude-3' }))).toMatchObject({ code: 'upstream_unavailable' });
  });

  it('maps rate limiting and mid-stream failures the same way Gemini does', async () => {
    expect(await rejection(generate({}, { fetch: fetchWithFault('429', link.fetch), maxRetries: 0 }))).toMatchObject({ status: 429, code: 'upstream_rate_limited' });
    const parts = await stream({ messages: [user('a b c d e f g')] }, { fetch: fetchWithFault('midstream-error', link.fetch) });
    expect(partsOfType(parts, 'error')[0]!.error.code).toBe('upstream_unavailable');
    expect(finishOf(parts)?.unified).toBe('error');
  });

  it('refuses to call anything with a key that is not a service account, and never echoes the key', async () => {
    const error = await rejection(generate({}, { apiKey: () => 'AIza-not-a-service-account' }));
    expect(error).toMatchObject({ status: 502, code: 'provider_not_configured' });
    expect(error.message).not.toContain('AIza');
  });

  it('needs a project from the options or the key', async () => {
    const keyWithoutProject = JSON.stringify({ ...JSON.parse(createTestServiceAccount().json), project_id: undefined });
    expect(await rejection(generate({}, { apiKey: () => keyWithoutProject }))).toMatchObject({ code: 'provider_not_configured' });
  });
});
