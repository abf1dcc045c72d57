import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGeminiSimulator, type GeminiSimulator } from '../../infra/local/simulators/gemini/server.ts';
import { InvalidRequestError, UpstreamError } from '../../layers/core/errors.ts';
import { createGeminiAdapter } from '../../layers/providers/gemini/model.ts';
import { thoughtSignatureOf } from '../../layers/providers/gemini/tool-call-id.ts';
import type { CanonicalRequest, ProviderTransport, StreamPart } from '../../layers/providers/types.ts';
import { createAccumulator } from '../../shared/inference/accumulate.ts';
import { assistantTurn } from '../../shared/inference/conversation.ts';
import {
  WEATHER_TOOL, callOptions, collect, fetchWithFault, finishOf, partsOfType, reasoningOf, satisfies, textOf, user,
} from '../support/providers-gemini.ts';
import { inMemoryHttp, type InMemoryHttp } from '../support/in-memory-http.ts';

let sim: GeminiSimulator;
let link: InMemoryHttp;
beforeAll(async () => {
  sim = await startGeminiSimulator({ apiKey: 'test-gemini-key', listen: false });
  link = inMemoryHttp(sim);
});
afterAll(() => {
  link.close();
  return sim.close();
});

const adapter = (transport: Partial<ProviderTransport> = {}) =>
  createGeminiAdapter({ baseURL: sim.url, apiKey: () => 'test-gemini-key', fetch: link.fetch, ...transport });

const FLASH = 'gemini-2.0-flash';
const THINKING = 'gemini-2.5-flash';

/** The body the simulator received for the most recent call. */
const lastWireBody = (): Record<string, any> => sim.requests.at(-1)!.body as Record<string, any>;

const generate = (request: Partial<CanonicalRequest>, transport?: Partial<ProviderTransport>): Promise<StreamPart[]> =>
  adapter(transport).generate({ model: FLASH, messages: [user('Hello')], ...request }, callOptions());

const stream = async (request: Partial<CanonicalRequest>, transport?: Partial<ProviderTransport>): Promise<StreamPart[]> =>
  collect(await adapter(transport).stream({ model: FLASH, messages: [user('Hello')], ...request }, callOptions()));

const rejection = async (promise: Promise<unknown>): Promise<UpstreamError> => {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
};

describe('Gemini adapter: text', () => {
  it('returns a plain answer as metadata, text, usage and a stop finish', async () => {
    const parts = await generate({ messages: [user('Hello there')] });
    expect(parts).toEqual([
      { type: 'response-metadata', id: expect.any(String), model: FLASH },
      { type: 'text-delta', delta: 'Echo: Hello there' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 } },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'STOP' } },
    ]);
    expect(sim.requests.at(-1)!.path).toBe(`/v1beta/models/${FLASH}:generateContent`);
  });

  it('streams the same answer as several text deltas over SSE, then usage and finish', async () => {
    const parts = await stream({ messages: [user('Tell me something in a few more words than usual')] });
    expect(sim.requests.at(-1)!.path).toBe(`/v1beta/models/${FLASH}:streamGenerateContent`);
    expect(partsOfType(parts, 'text-delta').length).toBeGreaterThan(1);
    expect(textOf(parts)).toBe('Echo: Tell me something in a few more words than usual');
    expect(parts.slice(-2).map((part) => part.type)).toEqual(['usage', 'finish']);
    expect(finishOf(parts)).toEqual({ unified: 'stop', raw: 'STOP' });
  });

  it('accepts the wire model with the API’s models/ prefix', async () => {
    await generate({ model: `models/${FLASH}` });
    expect(sim.requests.at(-1)!.model).toBe(FLASH);
  });

  it('sends system and developer messages as the system instruction, not as contents', async () => {
    await generate({ messages: [{ role: 'system', content: 'Be terse.' }, { role: 'developer', content: 'Answer in English.' }, user('Hi')] });
    expect(lastWireBody().systemInstruction).toEqual({ parts: [{ text: 'Be terse.' }, { text: 'Answer in English.' }] });
    expect(lastWireBody().contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('sends a conversation as alternating user and model contents, merging consecutive turns of one role', async () => {
    const parts = await generate({
      messages: [user('My name is Ada.'), user('Remember it.'), { role: 'assistant', content: 'I will, Ada.' }, user('What is my name?')],
    });
    expect(lastWireBody().contents).toEqual([
      { role: 'user', parts: [{ text: 'My name is Ada.' }, { text: 'Remember it.' }] },
      { role: 'model', parts: [{ text: 'I will, Ada.' }] },
      { role: 'user', parts: [{ text: 'What is my name?' }] },
    ]);
    expect(textOf(parts)).toBe('Echo: What is my name? (turn 2)');
  });

  it('maps temperature, top_p, max tokens, stop and seed into generationConfig', async () => {
    await generate({ temperature: 0.2, topP: 0.9, maxOutputTokens: 64, stop: ['END'], seed: 7, extra: { top_k: 20 } });
    expect(lastWireBody().generationConfig).toEqual({ temperature: 0.2, topP: 0.9, topK: 20, maxOutputTokens: 64, stopSequences: ['END'], seed: 7 });
  });

  it('reports MAX_TOKENS as a length finish', async () => {
    const parts = await generate({ messages: [user('one two three four five six')], maxOutputTokens: 2 });
    expect(textOf(parts)).toBe('Echo: one ');
    expect(finishOf(parts)).toEqual({ unified: 'length', raw: 'MAX_TOKENS' });
  });

  it('turns settings Gemini lacks into warnings instead of dropping them silently', async () => {
    const parts = await generate({ user: 'u-1', extra: { logit_bias: { 1: 2 } } });
    expect(partsOfType(parts, 'warning').map((part) => part.message)).toEqual([
      'Parameter "logit_bias" is not supported by Gemini and was ignored.',
      'Parameter "user" is not supported by Gemini and was ignored.',
    ]);
    expect(textOf(parts)).toBe('Echo: Hello');
  });

  it('refuses a conversation with nothing but a system prompt before calling the provider', async () => {
    const before = sim.requests.length;
    await expect(generate({ messages: [{ role: 'system', content: 'Only this.' }] })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sim.requests.length).toBe(before);
  });
});

describe('Gemini adapter: attachments', () => {
  const PNG = 'iVBORw0KGgo=';

  it('sends base64 and data-URL bytes as inlineData and URLs as fileData', async () => {
    const parts = await generate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe these' },
            { type: 'image', url: `data:image/png;base64,${PNG}` },
            { type: 'image', url: 'https://example.com/cat.webp' },
            { type: 'audio', data: 'UklGRg==', mediaType: 'wav' },
            { type: 'file', data: 'JVBERi0=', mediaType: 'application/pdf', filename: 'a.pdf' },
            { type: 'file', url: 'gs://bucket/report.pdf', mediaType: 'application/pdf' },
          ],
        },
      ],
    });
    expect(lastWireBody().contents[0].parts).toEqual([
      { text: 'Describe these' },
      { inlineData: { mimeType: 'image/png', data: PNG } },
      { fileData: { fileUri: 'https://example.com/cat.webp', mimeType: 'image/webp' } },
      { inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } },
      { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
      { fileData: { fileUri: 'gs://bucket/report.pdf', mimeType: 'application/pdf' } },
    ]);
    expect(textOf(parts)).toContain('[attachments: inline image/png; file image/webp https://example.com/cat.webp; inline audio/wav');
    expect(partsOfType(parts, 'usage')[0]!.usage.inputTokens).toBeGreaterThan(5 * 258);
  });

  it('warns that image detail has no Gemini equivalent', async () => {
    const parts = await generate({ messages: [{ role: 'user', content: [{ type: 'image', data: PNG, mediaType: 'image/png', detail: 'high' }] }] });
    expect(partsOfType(parts, 'warning')[0]!.message).toMatch(/detail "high"/);
  });
});

describe('Gemini adapter: tools', () => {
  const tools = [WEATHER_TOOL] as unknown as CanonicalRequest['tools'];

  it('declares functions in Gemini’s schema subset and returns one whole tool call with a call_ id', async () => {
    const parts = await generate({ messages: [user('Weather in Paris?')], tools });
    const declaration = lastWireBody().tools[0].functionDeclarations[0];
    expect(declaration).toEqual({
      name: 'get_weather',
      description: 'Current weather for a city.',
      parameters: {
        type: 'OBJECT',
        properties: {
          city: { type: 'STRING', description: 'City name' },
          unit: { type: 'STRING', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'INTEGER', nullable: true, minimum: 1, maximum: 7 },
          where: { type: 'OBJECT', properties: { lat: { type: 'NUMBER' }, lon: { type: 'NUMBER' } }, required: ['lat', 'lon'] },
        },
        required: ['city', 'unit'],
      },
    });
    const [call] = partsOfType(parts, 'tool-call-delta');
    expect(call).toMatchObject({ index: 0, id: expect.stringMatching(/^call_[0-9a-f]{24}$/), name: 'get_weather' });
    expect(satisfies(WEATHER_TOOL.parameters, JSON.parse(call!.argumentsDelta))).toBe(true);
    expect(finishOf(parts)).toEqual({ unified: 'tool_calls', raw: 'STOP' });
  });

  it('streams parallel calls as one delta each, indexed in order', async () => {
    const parts = await stream({
      messages: [user('Check both in parallel')],
      tools: [...tools!, { type: 'function', name: 'get_time', parameters: { type: 'object', properties: {} } }],
    });
    expect(partsOfType(parts, 'tool-call-delta').map(({ index, name, argumentsDelta }) => ({ index, name, args: argumentsDelta.length > 0 }))).toEqual([
      { index: 0, name: 'get_weather', args: true },
      { index: 1, name: 'get_time', args: true },
    ]);
    expect(lastWireBody().tools[0].functionDeclarations[1]).toEqual({ name: 'get_time' });
    expect(finishOf(parts)?.unified).toBe('tool_calls');
  });

  it('feeds tool results back as functionResponse parts named after the call they answer', async () => {
    const first = await generate({ messages: [user('Weather in Paris?')], tools });
    const call = partsOfType(first, 'tool-call-delta')[0]!;
    const parts = await generate({
      tools,
      messages: [
        user('Weather in Paris?'),
        { role: 'assistant', content: null, toolCalls: [{ id: call.id!, name: call.name!, arguments: call.argumentsDelta }] },
        { role: 'tool', toolCallId: call.id!, content: '{"temperature":21}' },
      ],
    });
    expect(lastWireBody().contents.slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: JSON.parse(call.argumentsDelta) }, thoughtSignature: 'skip_thought_signature_validator' }] },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 21 } } }] },
    ]);
    expect(textOf(parts)).toBe('Tool results: get_weather returned {"temperature":21}.');
    expect(finishOf(parts)?.unified).toBe('stop');
  });

  it('sends the results of parallel calls together, one functionResponse per call', async () => {
    const both = [...tools!, { type: 'function' as const, name: 'get_time', parameters: { type: 'object', properties: {} } }];
    const first = await generate({ messages: [user('Both, in parallel')], tools: both });
    const calls = partsOfType(first, 'tool-call-delta');
    const parts = await generate({
      tools: both,
      messages: [
        user('Both, in parallel'),
        { role: 'assistant', content: null, toolCalls: calls.map((call) => ({ id: call.id!, name: call.name!, arguments: call.argumentsDelta })) },
        { role: 'tool', toolCallId: calls[1]!.id!, content: '{"time":"12:00"}' },
        { role: 'tool', toolCallId: calls[0]!.id!, content: '{"temperature":18}' },
      ],
    });
    expect(lastWireBody().contents[2]).toEqual({
      role: 'user',
      parts: [{ functionResponse: { name: 'get_time', response: { time: '12:00' } } }, { functionResponse: { name: 'get_weather', response: { temperature: 18 } } }],
    });
    expect(textOf(parts)).toBe('Tool results: get_time returned {"time":"12:00"}; get_weather returned {"temperature":18}.');
  });

  it('wraps a non-object tool result as {output}', async () => {
    await generate({
      tools,
      messages: [
        user('Weather?'),
        { role: 'assistant', content: null, toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo","unit":"celsius"}' }] },
        { role: 'tool', toolCallId: 'call_1', content: 'sunny' },
      ],
    });
    expect(lastWireBody().contents.at(-1)).toEqual({ role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { output: 'sunny' } } }] });
  });

  it('carries a thinking model’s thought signature through the tool call id and back (Gemini 3 requires it)', async () => {
    const model = 'gemini-3-pro-preview';
    const first = await generate({ model, messages: [user('Weather in Rome?')], tools });
    const call = partsOfType(first, 'tool-call-delta')[0]!;
    const signature = thoughtSignatureOf(call.id!);
    expect(signature).toEqual(expect.any(String));
    expect(call.id).toMatch(/^call_[0-9a-f]{24}__ts__[A-Za-z0-9_-]+$/);
    const parts = await generate({
      model,
      tools,
      messages: [
        user('Weather in Rome?'),
        { role: 'assistant', content: null, toolCalls: [{ id: call.id!, name: call.name!, arguments: call.argumentsDelta }] },
        { role: 'tool', toolCallId: call.id!, content: '{"temperature":25}' },
      ],
    });
    expect(lastWireBody().contents[1].parts[0].thoughtSignature).toBe(signature);
    expect(textOf(parts)).toContain('get_weather returned');
  });

  it('keeps the thought signature of a thinking model\u2019s text answer with the turn and sends it back on that text', async () => {
    for (const parts of [await generate({ model: THINKING }), await stream({ model: THINKING })]) {
      const signatures = partsOfType(parts, 'thought-signature');
      expect(signatures).toHaveLength(1);
      const completion = createAccumulator();
      for (const part of parts) completion.add(part);
      const turn = assistantTurn(completion.result());
      expect(turn).toMatchObject({ role: 'assistant', thoughtSignature: signatures[0]!.signature });
      await generate({ model: THINKING, messages: [user('Hello'), turn, user('And again?')] });
      expect(lastWireBody().contents[1]).toEqual({ role: 'model', parts: [{ text: textOf(parts), thoughtSignature: signatures[0]!.signature }] });
    }
  });

  it('refuses a tool result that answers no earlier call', async () => {
    await expect(generate({ messages: [user('x'), { role: 'tool', toolCallId: 'call_nope', content: '{}' }] })).rejects.toMatchObject({
      code: 'invalid_tool_call_id',
    });
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [{ type: 'function', name: 'get_weather' }, { mode: 'ANY', allowedFunctionNames: ['get_weather'] }],
  ] as const)('maps tool_choice %j to functionCallingConfig %j', async (toolChoice, config) => {
    const parts = await generate({ messages: [user('Weather?')], tools, toolChoice });
    expect(lastWireBody().toolConfig).toEqual({ functionCallingConfig: config });
    expect(partsOfType(parts, 'tool-call-delta').length).toBe(toolChoice === 'none' ? 0 : 1);
  });

  it('warns about schema keywords Gemini cannot express, and the provider accepts what is left', async () => {
    const parts = await generate({
      messages: [user('Go')],
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string', format: 'email', not: { const: 'x' } } }, patternProperties: { '^x': {} } } }],
    });
    expect(partsOfType(parts, 'warning').map((part) => part.message)).toEqual([
      'Gemini does not support format: email, not, patternProperties in the parameters of tool "lookup"; dropped.',
    ]);
    expect(partsOfType(parts, 'tool-call-delta')[0]?.name).toBe('lookup');
  });
});

describe('Gemini adapter: structured output', () => {
  const schema = {
    type: 'object',
    properties: { title: { type: 'string' }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 }, rating: { anyOf: [{ type: 'number' }, { type: 'null' }] } },
    required: ['title', 'tags', 'rating'],
    additionalProperties: false,
  };

  it('maps json_schema to responseMimeType and responseSchema, and the answer satisfies the schema', async () => {
    const parts = await generate({ responseFormat: { type: 'json_schema', name: 'review', schema, strict: true } });
    expect(lastWireBody().generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'OBJECT',
        properties: { title: { type: 'STRING' }, tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: 2 }, rating: { type: 'NUMBER', nullable: true } },
        required: ['title', 'tags', 'rating'],
      },
    });
    expect(satisfies(schema, JSON.parse(textOf(parts)))).toBe(true);
  });

  it('maps json_object to the JSON mime type alone', async () => {
    const parts = await stream({ responseFormat: { type: 'json_object' } });
    expect(lastWireBody().generationConfig).toEqual({ responseMimeType: 'application/json' });
    expect(JSON.parse(textOf(parts))).toEqual({ echo: 'Hello' });
  });
});

describe('Gemini adapter: thinking', () => {
  it('maps reasoning effort to a thinking budget and a summary request to thought parts, streamed as reasoning deltas', async () => {
    const parts = await stream({ model: THINKING, messages: [user('Why is the sky blue?')], reasoning: { effort: 'low', summary: 'auto' } });
    expect(lastWireBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } });
    const firstReasoning = parts.findIndex((part) => part.type === 'reasoning-delta');
    const firstText = parts.findIndex((part) => part.type === 'text-delta');
    expect(firstReasoning).toBeGreaterThan(-1);
    expect(firstReasoning).toBeLessThan(firstText);
    expect(reasoningOf(parts)).toContain('Why is the sky blue?');
    expect(textOf(parts)).toBe('Echo: Why is the sky blue?');
  });

  it('counts thoughts as output and as reasoning tokens even when they are not returned', async () => {
    const parts = await generate({ model: THINKING, messages: [user('Think quietly')], reasoning: { effort: 'medium' } });
    expect(lastWireBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 8192 } });
    expect(reasoningOf(parts)).toBe('');
    const usage = partsOfType(parts, 'usage')[0]!.usage;
    expect(usage.reasoningTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBe(usage.reasoningTokens! + 5); // "Echo: Think quietly" is 5 tokens
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);
  });

  it('turns thinking off for effort none', async () => {
    const parts = await generate({ model: THINKING, reasoning: { effort: 'none' } });
    expect(lastWireBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 0 } });
    expect(partsOfType(parts, 'usage')[0]!.usage.reasoningTokens).toBeUndefined();
  });

  it('accepts include_thoughts and thinking_budget as provider extras', async () => {
    const parts = await generate({ model: THINKING, extra: { include_thoughts: true, thinking_budget: 2048 } });
    expect(lastWireBody().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 2048, includeThoughts: true } });
    expect(reasoningOf(parts)).not.toBe('');
  });

  it('warns about an effort it has no budget for', async () => {
    const parts = await generate({ model: THINKING, reasoning: { effort: 'extreme' } });
    expect(partsOfType(parts, 'warning')[0]!.message).toMatch(/effort "extreme"/);
    expect(lastWireBody().generationConfig).toBeUndefined();
  });
});

describe('Gemini adapter: safety', () => {
  it('maps a blocked prompt (promptFeedback.blockReason) to a content_filter finish, streamed or not', async () => {
    for (const parts of [await generate({ messages: [user('SIM_BLOCK_PROMPT')] }), await stream({ messages: [user('SIM_BLOCK_PROMPT')] })]) {
      expect(textOf(parts)).toBe('');
      expect(finishOf(parts)).toEqual({ unified: 'content_filter', raw: 'SAFETY' });
      expect(partsOfType(parts, 'usage')[0]!.usage.outputTokens).toBe(0);
    }
  });

  it('maps a candidate stopped for SAFETY to a content_filter finish', async () => {
    const parts = await stream({ messages: [user('SIM_BLOCK_RESPONSE please')] });
    expect(finishOf(parts)).toEqual({ unified: 'content_filter', raw: 'SAFETY' });
  });

  it('honours the content-filter faults: a blocked prompt, or an answer stopped midway', async () => {
    const blocked = await generate({}, { fetch: fetchWithFault('content-filter', link.fetch) });
    expect(textOf(blocked)).toBe('');
    expect(finishOf(blocked)).toEqual({ unified: 'content_filter', raw: 'SAFETY' });
    const stopped = await stream({}, { fetch: fetchWithFault('content-filter-finish', link.fetch) });
    expect(textOf(stopped)).toBe('Echo:');
    expect(finishOf(stopped)).toEqual({ unified: 'content_filter', raw: 'SAFETY' });
  });
});

describe('Gemini adapter: usage', () => {
  it('reports implicitly cached prompt tokens as cachedInputTokens', async () => {
    const opening = [{ role: 'system' as const, content: 'You are a librarian with a long memory.' }, user('Catalogue entry one: a very long opening line.')];
    const first = await generate({ messages: opening });
    expect(partsOfType(first, 'usage')[0]!.usage.cachedInputTokens).toBeUndefined();
    const parts = await generate({ messages: [...opening, { role: 'assistant', content: 'Noted.' }, user('And the next one?')] });
    const usage = partsOfType(parts, 'usage')[0]!.usage;
    expect(usage.cachedInputTokens).toBe(partsOfType(first, 'usage')[0]!.usage.inputTokens);
    expect(usage.cachedInputTokens).toBeLessThan(usage.inputTokens);
  });
});

describe('Gemini adapter: errors', () => {
  it('maps an invalid key (400 API_KEY_INVALID) to upstream_auth_failed', async () => {
    const error = await rejection(generate({}, { apiKey: () => 'wrong-key' }));
    expect(error).toMatchObject({ status: 502, code: 'upstream_auth_failed' });
    expect(error.message).not.toContain('wrong-key');
  });

  it('maps an unknown model (404) to upstream_unavailable: the catalog points at nothing', async () => {
    expect(await rejection(generate({ model: 'palm-2' }))).toMatchObject({ status: 502, code: 'upstream_unavailable' });
  });

  it('passes a request the provider refuses through as upstream_bad_request with its sanitized message', async () => {
    const error = await rejection(generate({ model: 'gemini-2.5-pro', reasoning: { effort: 'none' } }));
    expect(error).toMatchObject({ status: 400, code: 'upstream_bad_request', message: 'Budget 0 is invalid. This model only works in thinking mode.' });
  });

  it('retries a 429 and a 500 before the first byte and then succeeds', async () => {
    for (const fault of ['429-once', '500-once']) {
      const before = sim.requests.length;
      const parts = await generate({ messages: [user(`retry after ${fault}`)] }, { fetch: fetchWithFault(fault, link.fetch) });
      expect(textOf(parts)).toBe(`Echo: retry after ${fault}`);
      expect(sim.requests.length - before).toBe(2);
    }
  });

  it('maps persistent rate limiting to upstream_rate_limited with the RetryInfo delay as Retry-After', async () => {
    const error = await rejection(generate({}, { fetch: fetchWithFault('429', link.fetch), maxRetries: 0 }));
    expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited', headers: { 'retry-after': '0' } });
  });

  it('maps a provider that does not answer in time to upstream_timeout', async () => {
    const error = await rejection(stream({}, { fetch: fetchWithFault('slow:5000', link.fetch), timeoutMs: 50, maxRetries: 0 }));
    expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });

  it('turns an error object sent midstream into an error part and an error finish', async () => {
    const parts = await stream({ messages: [user('a b c d e f g h i j')] }, { fetch: fetchWithFault('midstream-error', link.fetch) });
    expect(textOf(parts)).toBe('Echo: a b ');
    expect(partsOfType(parts, 'error')).toEqual([{ type: 'error', error: { status: 500, code: 'upstream_unavailable', message: expect.not.stringMatching(/https?:/) } }]);
    expect(finishOf(parts)).toEqual({ unified: 'error' });
  });

  it('redacts the key and URLs a provider error message leaks', async () => {
    const error = await rejection(generate({}, { fetch: fetchWithFault('leak', link.fetch) }));
    expect(error.code).toBe('upstream_bad_request');
    expect(error.message).not.toContain('test-gemini-key');
    expect(error.message).not.toMatch(/https?:|googleapis/);
  });

  it('maps a provider that never answers, or drops the connection, to timeout and unavailable', async () => {
    expect(await rejection(generate({}, { fetch: fetchWithFault('timeout', link.fetch), timeoutMs: 50, maxRetries: 0 }))).toMatchObject({ code: 'upstream_timeout' });
    expect(await rejection(generate({}, { fetch: fetchWithFault('drop', link.fetch), maxRetries: 0 }))).toMatchObject({ code: 'upstream_unavailable' });
  });

  it('accepts faults as a +suffix on the model id, for requests that pass through the gateway', async () => {
    const parts = await stream({ model: `${FLASH}+midstream-drop`, messages: [user('a b c d e f g')] });
    expect(textOf(parts)).toBe('Echo: a b ');
    expect(partsOfType(parts, 'error')[0]!.error.code).toBe('upstream_connection_lost');
    expect(finishOf(parts)).toEqual({ unified: 'error' });
  });

  it('turns a malformed chunk into an error part instead of an exception', async () => {
    const parts = await stream({}, { fetch: fetchWithFault('malformed-chunk', link.fetch) });
    expect(partsOfType(parts, 'error')[0]!.error.code).toBe('upstream_malformed_chunk');
    expect(finishOf(parts)?.unified).toBe('error');
  });

  it('does not close a stream cut off before its finish reason as a success', async () => {
    const parts = await stream({ messages: [user('a b c d e f g h i j')] }, { fetch: fetchWithFault('truncate', link.fetch) });
    expect(partsOfType(parts, 'error')[0]!.error.code).toBe('upstream_truncated');
    expect(finishOf(parts)?.unified).toBe('error');
  });

  it('stops at an abort, even with deltas already read: one delta, then an aborted error and an error finish', async () => {
    const controller = new AbortController();
    const parts: StreamPart[] = [];
    const stream = await adapter().stream({ model: FLASH, messages: [user('a b c d e f g h i j k l m n o p')] }, { ...callOptions(), signal: controller.signal });
    for await (const part of stream) {
      parts.push(part);
      if (part.type === 'text-delta') controller.abort();
    }
    expect(partsOfType(parts, 'text-delta')).toHaveLength(1);
    expect(partsOfType(parts, 'error')[0]!.error.code).toBe('request_aborted');
    expect(finishOf(parts)?.unified).toBe('error');
  });

  it('lets a consumer stop reading early without hanging the provider connection', async () => {
    const parts = await adapter().stream({ model: FLASH, messages: [user('a b c d e f g h i j k l m n o p')] }, callOptions());
    for await (const part of parts) if (part.type === 'text-delta') break;
    expect(textOf(await generate({ messages: [user('still serving')] }))).toBe('Echo: still serving');
  });
});
