/**
 * The external OpenAI-compatible routes end to end, driven by the clients they exist for: the official `openai`
 * SDK and the Vercel AI SDK, configured with nothing but `baseURL = <gateway>/external/v1` and a Compose Key.
 * They see OpenAI's shapes only — no `compose.*` event, no receipt — plus the diagnostic headers that say which
 * provider and wire model the catalog chose. Every JSON body is checked against the project's OpenAPI document.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { streamText } from 'ai';
import type OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFrames, echoOf, parseSse } from '../support/e2e.ts';
import { RECEIPT_MARKERS, sharedExternalGateway, type ExternalGateway } from '../support/external-gateway.ts';
import { expectMatchesContract } from '../support/openapi.ts';

let gateway: ExternalGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await sharedExternalGateway();
  client = gateway.external();
});
afterAll(async () => {
  await gateway?.close();
});

/** A model per kind of catalog row: a plain id, an id two providers serve, and a slash-containing id. */
const MODELS = ['gpt-4o-mini', 'gemini-2.5-flash', 'accounts/fireworks/models/kimi-k2-instruct'] as const;

/** Names of the headers an answer carries that would reveal a receipt or a payment. */
const receiptHeaders = (response: Response): string[] =>
  [...response.headers.keys()].filter((name) => /receipt|payment/i.test(name));

const expectNoReceipt = (text: string): void => {
  for (const marker of RECEIPT_MARKERS) expect(text).not.toContain(marker);
};

/** The diagnostic headers name what the catalog resolves the public id to. */
const expectDiagnostics = async (response: Response, model: string): Promise<void> => {
  const card = await gateway.card(model);
  expect({
    public: response.headers.get('x-compose-public-model'),
    provider: response.headers.get('x-compose-upstream-provider'),
    wire: response.headers.get('x-compose-upstream-model'),
  }).toEqual({ public: model, provider: card.provider, wire: card.upstreamModelId });
};

const textOf = (chunks: readonly ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('models through the openai SDK', () => {
  it('lists every public id once, in OpenAI model shape, slash-containing ids included', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);

    const ids = models.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([...MODELS]));
    expect(ids.filter((id) => id.includes('/')).length).toBeGreaterThan(1);
    for (const model of models) {
      expect(Object.keys(model).sort()).toEqual(['created', 'id', 'object', 'owned_by']);
      expect(model.object).toBe('model');
      expect(Number.isInteger(model.created)).toBe(true);
      expect(model.owned_by).not.toBe('');
    }

    const raw = await gateway.fetch('/external/v1/models');
    expect(raw.status).toBe(200);
    expectMatchesContract('/external/v1/models', 'get', 200, await raw.json());
  });

  it('retrieves a slash-containing id, percent-encoded as the SDK sends it and as raw path segments', async () => {
    const id = 'accounts/fireworks/models/kimi-k2-instruct';
    const model = await client.models.retrieve(id);
    expect(model).toMatchObject({ id, object: 'model' });

    const raw = await gateway.fetch(`/external/v1/models/${id}`);
    expect(raw.status).toBe(200);
    const body = await raw.json();
    expect(body).toEqual(model);
    expectMatchesContract('/external/v1/models/{model}', 'get', 200, body);
  });
});

describe.each(MODELS)('chat completions through /external/v1 on %s', (model) => {
  it('answers a plain request in OpenAI shape with diagnostic headers and no receipt anywhere', async () => {
    const prompt = `Plainly, external ${model}`;
    const { provider } = await gateway.card(model);
    const { data, response } = await client.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] }).withResponse();

    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(model);
    expect(data.choices[0]!.message.content).toBe(echoOf(provider, prompt));
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data).not.toHaveProperty('compose_receipt');
    expect(response.headers.get('x-compose-receipt')).toBeNull();
    expect(receiptHeaders(response)).toEqual([]);
    await expectDiagnostics(response, model);
    expectNoReceipt(JSON.stringify(data));
    expectMatchesContract('/external/v1/chat/completions', 'post', 200, data);
  });

  it('streams chunks that all carry choices and reassemble into the reply', async () => {
    const prompt = `Stream externally, ${model}`;
    const { provider } = await gateway.card(model);
    const { data: stream, response } = await client.chat.completions
      .create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] })
      .withResponse();
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.filter((chunk) => !Array.isArray(chunk.choices))).toEqual([]);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(textOf(chunks)).toBe(echoOf(provider, prompt));
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter(Boolean)).toEqual(['stop']);
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
    expect(receiptHeaders(response)).toEqual([]);
    await expectDiagnostics(response, model);
  });

  it('sends, on the wire, only OpenAI data frames and [DONE]: no compose event, no receipt', async () => {
    const prompt = `Raw stream, ${model}`;
    const response = await gateway.post('/external/v1/chat/completions', {
      model,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: prompt }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await response.text();

    expect(text.split('\n').filter((line) => line.startsWith('event:'))).toEqual([]);
    expect(text).not.toMatch(/^event: compose\./m);
    expectNoReceipt(text);
    const frames = dataFrames(parseSse(text));
    expect(frames.at(-1)!.data).toBe('[DONE]');
    for (const frame of frames.slice(0, -1)) expect(frame.json).toMatchObject({ object: 'chat.completion.chunk', choices: expect.any(Array) });
    await expectDiagnostics(response, model);
  });
});

describe.each(MODELS)('responses through /external/v1 on %s', (model) => {
  it('creates a response in OpenAI shape with diagnostic headers and no receipt', async () => {
    const prompt = `Respond externally, ${model}`;
    const { provider } = await gateway.card(model);
    const { data, response } = await client.responses.create({ model, input: prompt }).withResponse();

    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe(echoOf(provider, prompt));
    expect(data).not.toHaveProperty('receipt');
    expectNoReceipt(JSON.stringify(data));
    expect(receiptHeaders(response)).toEqual([]);
    await expectDiagnostics(response, model);
    expectMatchesContract('/external/v1/responses', 'post', 200, data);
  });

  it('streams a response whose events are OpenAI event types only and whose deltas make the reply', async () => {
    const prompt = `Stream a response, ${model}`;
    const { provider } = await gateway.card(model);
    const { data: stream, response } = await client.responses.create({ model, input: prompt, stream: true }).withResponse();
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);

    expect(events.map((e) => e.type).filter((type) => !type.startsWith('response.'))).toEqual([]);
    expect(events[0]!.type).toBe('response.created');
    const completed = events.at(-1)!;
    expect(completed.type).toBe('response.completed');
    const deltas = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : []));
    expect(deltas.join('')).toBe(echoOf(provider, prompt));
    if (completed.type === 'response.completed') {
      expect(completed.response).not.toHaveProperty('receipt');
      expectMatchesContract('/external/v1/responses', 'post', 200, completed.response);
    }
    expectNoReceipt(JSON.stringify(events));
    await expectDiagnostics(response, model);
  });

  it('sends no compose event and no receipt on the raw Responses stream', async () => {
    const response = await gateway.post('/external/v1/responses', { model, input: `Raw response stream, ${model}`, stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();

    expect(text).not.toMatch(/^event: compose\./m);
    expectNoReceipt(text);
    const frames = dataFrames(parseSse(text));
    for (const frame of frames.filter((f) => f.data !== '[DONE]')) {
      expect(frame.event).toBe((frame.json as { type: string }).type);
      expect(frame.event).toMatch(/^response\./);
    }
  });
});

describe('the Vercel AI SDK through /external/v1', () => {
  it.each(MODELS)('streams a chat with @ai-sdk/openai-compatible on %s', async (model) => {
    const prompt = `Vercel, stream ${model}`;
    const { provider } = await gateway.card(model);
    const compose = createOpenAICompatible({ baseURL: gateway.baseURL, apiKey: gateway.apiKey, name: 'compose', includeUsage: true });
    const errors: unknown[] = [];
    const result = streamText({ model: compose(model), prompt, maxRetries: 0, onError: ({ error }) => void errors.push(error) });

    let text = '';
    for await (const delta of result.textStream) text += delta;

    expect(errors).toEqual([]);
    expect(text).toBe(echoOf(provider, prompt));
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
    const { headers } = await result.response;
    expect(headers?.['x-compose-public-model']).toBe(model);
  });
});
