/**
 * Chat Completions end to end: the official `openai` SDK against the local runtime (real handlers, DynamoDB and
 * S3 stand-ins, loopback provider simulators), once per provider. Every JSON body is checked against the
 * project's OpenAPI document.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFrames, echoOf, onProvider, openAiChunks, parseSse, sharedE2eRuntime, TEXT_MODELS, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';

const WEATHER_PARAMETERS = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};
const WEATHER_TOOL: ChatCompletionTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather for a city.', parameters: WEATHER_PARAMETERS },
};

const FORECAST_SCHEMA = {
  type: 'object',
  properties: {
    city: { type: 'string' },
    temperature_c: { type: 'number' },
    conditions: { type: 'string', enum: ['sunny', 'cloudy', 'rain'] },
  },
  required: ['city', 'temperature_c', 'conditions'],
  additionalProperties: false,
};

const ajv = new Ajv2020({ strict: false });
const satisfies = (schema: object, value: unknown): boolean => ajv.validate(schema, value) as boolean;

let gateway: E2eRuntime;
let client: OpenAI;

beforeAll(async () => {
  gateway = await sharedE2eRuntime();
  client = gateway.client();
});
afterAll(async () => {
  await gateway?.close();
});

const textOf = (chunks: readonly ChatCompletionChunk[]): string => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe.each(TEXT_MODELS)('chat completions on $provider ($model)', ({ provider, model }) => {
  it('answers a plain request with the model reply, usage and routing headers', async () => {
    const prompt = `Hello ${provider}, plainly`;
    const { data, response } = await client.chat.completions
      .create(onProvider({ model, messages: [{ role: 'user', content: prompt }] }, provider))
      .withResponse();

    expectMatchesContract('/v1/chat/completions', 'post', 200, data);
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(model);
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]!.message.role).toBe('assistant');
    expect(data.choices[0]!.message.content).toBe(echoOf(provider, prompt));
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBeGreaterThanOrEqual(data.usage!.prompt_tokens + data.usage!.completion_tokens);

    expect(response.headers.get('x-compose-response-id')).toBe(data.id);
    expect(response.headers.get('x-routing-primary-model')).toBe(model);
    expect(response.headers.get('x-routing-final-model')).toBe(model);
    expect(response.headers.get('x-routing-attempts')).toBe('1');
    expect(response.headers.get('x-routing-fallback-used')).toBe('false');
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams chunks that reassemble into the same reply, end with a finish reason, and carry no usage unless asked', async () => {
    const prompt = `Stream to me, ${provider}`;
    const { data: stream, response } = await client.chat.completions
      .create(onProvider({ model, stream: true, messages: [{ role: 'user', content: prompt }] }, provider))
      .withResponse();
    const chunks: ChatCompletionChunk[] = [];
    // The everyday loop: the SDK stops at [DONE], before the compose.receipt frame, so every chunk has a choice.
    for await (const chunk of stream) {
      void chunk.choices[0]!.delta.content;
      chunks.push(chunk);
    }
    expect(chunks.some((c) => (c.object as string) === 'compose.receipt')).toBe(false);

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const id = response.headers.get('x-compose-response-id');
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === id && c.model === model)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(textOf(chunks)).toBe(echoOf(provider, prompt));
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.filter((c) => c.choices[0]?.finish_reason)).toHaveLength(1);
    expect(chunks.some((c) => c.usage)).toBe(false);
  });

  it('sends exactly one usage chunk, after the finish, when include_usage is asked', async () => {
    const stream = await client.chat.completions.create(
      onProvider({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Count my tokens' }] }, provider),
    );
    const all: ChatCompletionChunk[] = [];
    for await (const chunk of stream) all.push(chunk);
    const chunks = openAiChunks(all);

    const withUsage = chunks.filter((c) => c.usage);
    expect(withUsage).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last).toBe(withUsage[0]);
    expect(last.choices).toEqual([]);
    expect(last.usage!.total_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(textOf(chunks)).toBe(echoOf(provider, 'Count my tokens'));
  });

  it('returns a tool call whose arguments fit the tool, then answers from the tool result', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Call get_weather with city=Paris' }];
    const first = await client.chat.completions.create(onProvider({ model, messages, tools: [WEATHER_TOOL], tool_choice: 'required' }, provider));

    expectMatchesContract('/v1/chat/completions', 'post', 200, first);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') return;
    expect(call.function.name).toBe('get_weather');
    expect(call.id).toBeTruthy();
    expect(satisfies(WEATHER_PARAMETERS, JSON.parse(call.function.arguments))).toBe(true);

    const followUp = await client.chat.completions.create(
      onProvider(
        {
          model,
          tools: [WEATHER_TOOL],
          messages: [
            ...messages,
            { role: 'assistant', content: null, tool_calls: [call] },
            { role: 'tool', tool_call_id: call.id, content: '{"temperature_c":21,"conditions":"sunny"}' },
          ],
        },
        provider,
      ),
    );
    expectMatchesContract('/v1/chat/completions', 'post', 200, followUp);
    expect(followUp.choices[0]!.finish_reason).toBe('stop');
    expect(followUp.choices[0]!.message.tool_calls ?? []).toEqual([]);
    // Both simulators report the tool's name and result back in text.
    expect(followUp.choices[0]!.message.content).toMatch(/get_weather returned .*21/);
  });

  it('streams a tool call: id and name first, then argument fragments that reassemble', async () => {
    const stream = await client.chat.completions.create(
      onProvider({ model, stream: true, tools: [WEATHER_TOOL], tool_choice: 'required', messages: [{ role: 'user', content: 'Call get_weather with city=Paris' }] }, provider),
    );
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const deltas = openAiChunks(chunks).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, id: expect.any(String), type: 'function', function: { name: 'get_weather' } });
    expect(deltas.every((d) => d.index === 0)).toBe(true);
    const args = deltas.map((d) => d.function?.arguments ?? '').join('');
    expect(satisfies(WEATHER_PARAMETERS, JSON.parse(args))).toBe(true);
    expect(openAiChunks(chunks).at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('answers response_format json_schema with JSON content that satisfies the schema', async () => {
    const completion = await client.chat.completions.create(
      onProvider(
        {
          model,
          messages: [{ role: 'user', content: 'Give me the forecast for Lisbon as JSON.' }],
          response_format: { type: 'json_schema', json_schema: { name: 'forecast', strict: true, schema: FORECAST_SCHEMA } },
        },
        provider,
      ),
    );
    expectMatchesContract('/v1/chat/completions', 'post', 200, completion);
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    const content = JSON.parse(completion.choices[0]!.message.content!) as unknown;
    expect(satisfies(FORECAST_SCHEMA, content)).toBe(true);
  });
});

describe('the /api/inference legacy alias', () => {
  it('answers a chat request exactly as /v1/chat/completions does', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Through the alias' }] };
    const response = await gateway.post('/api/inference', body);
    expect(response.status).toBe(200);
    const completion = (await response.json()) as OpenAI.Chat.ChatCompletion;
    expectMatchesContract('/api/inference', 'post', 200, completion);
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe(echoOf('openai', 'Through the alias'));
    expect(response.headers.get('x-compose-response-id')).toBe(completion.id);
    expect(response.headers.get('x-routing-final-model')).toBe('gpt-4o-mini');
  });

  it('streams chat chunks ending in [DONE]', async () => {
    const response = await gateway.post('/api/inference', {
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream through the alias' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const frames = dataFrames(parseSse(await response.text()));
    // The receipt follows [DONE], still chunk-shaped, for parsers that read past it.
    expect(frames.at(-2)!.data).toBe('[DONE]');
    expect(frames.at(-1)!.event).toBe('compose.receipt');
    expect(frames.at(-1)!.json).toMatchObject({ object: 'compose.receipt', choices: [] });
    expect(frames.filter((f) => f.event === 'compose.receipt')).toHaveLength(1);
    const chunks = frames.filter((f) => f.event === undefined && f.data !== '[DONE]').map((f) => f.json as ChatCompletionChunk);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(textOf(chunks)).toBe(echoOf('openai', 'Stream through the alias'));
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
  });

  it('refuses an invalid request with the same error as chat', async () => {
    const response = await gateway.post('/api/inference', { messages: [{ role: 'user', content: 'no model' }] });
    expect(response.status).toBe(400);
    const body = await response.json();
    expectMatchesContract('/api/inference', 'post', 400, body);
    expect(body).toMatchObject({ error: { code: 'missing_model', type: 'invalid_request_error' } });
  });
});
