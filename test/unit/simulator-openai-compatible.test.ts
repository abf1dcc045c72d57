/**
 * The OpenAI-compatible simulator as a wire-format stand-in: the official `openai` SDK (and its Azure
 * client) drives it unchanged, its validation answers with the real API's error bodies, and each flavor
 * keeps its provider's path, auth and error shape. If these hold, adapter tests against it mean something.
 */
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { satisfies, WEATHER_PARAMETERS } from '../support/providers-openai-compatible.ts';

let sim: OpenAICompatibleSimulator;
let client: OpenAI;
beforeAll(async () => {
  sim = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: 'sk-test-simulator-key' });
  client = new OpenAI({ baseURL: sim.url, apiKey: 'sk-test-simulator-key', maxRetries: 0 });
});
afterAll(() => sim.close());

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${sim.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-test-simulator-key', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('driven by the official openai SDK', () => {
  it('completes a chat with usage', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello SDK' }] });
    expect(completion.choices[0]?.message.content).toBe('You said: Hello SDK');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams deltas and a final usage chunk with empty choices', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream to the SDK' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('You said: Stream to the SDK');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('streams tool calls the SDK helper reassembles, with schema-valid arguments', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_weather for city=Rome' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_PARAMETERS, strict: true } }],
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    const args: unknown = call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined;
    expect(args).toMatchObject({ city: 'Rome' });
    expect(satisfies(WEATHER_PARAMETERS, args)).toBe(true);
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers json_schema with a document the SDK parses against the schema', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, tags: { type: 'array', items: { type: 'string' }, minItems: 2 }, kind: { anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }] } },
      required: ['name', 'tags', 'kind'],
      additionalProperties: false,
    };
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Describe it.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'thing', schema, strict: true } },
    });
    expect(satisfies(schema, JSON.parse(completion.choices[0]?.message.content ?? ''))).toBe(true);
  });

  it('surfaces validation errors as the SDK error classes', async () => {
    const failure = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect(failure).toMatchObject({ status: 400, code: 'empty_array', param: 'messages' });
  });

  it('drives the Azure flavor through AzureOpenAI: deployment path, api-version, api-key', async () => {
    const azure = await startOpenAICompatibleSimulator({ flavor: 'azure', apiKey: 'azure-key' });
    try {
      const azureClient = new AzureOpenAI({ endpoint: azure.url, apiKey: 'azure-key', apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0 });
      const completion = await azureClient.chat.completions.create({ model: 'gpt-4o-prod', messages: [{ role: 'user', content: 'Hi Azure' }] });
      expect(completion.choices[0]?.message.content).toBe('You said: Hi Azure');
      expect(azure.requests[0]).toMatchObject({ path: '/openai/deployments/gpt-4o-prod/chat/completions', search: '?api-version=2024-10-21', headers: { 'api-key': 'azure-key' } });
    } finally {
      await azure.close();
    }
  });
});

describe('validation, with the real API wording', () => {
  it.each([
    ['no model', { messages: [{ role: 'user', content: 'x' }] }, 'you must provide a model parameter', null, null],
    ['messages missing', { model: 'gpt-4o' }, "Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter'],
    ['empty messages', { model: 'gpt-4o', messages: [] }, "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array'],
    [
      'bad role',
      { model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] },
      "Invalid value: 'robot'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', 'developer'.",
      'messages[0].role',
      'invalid_value',
    ],
    ['stream not boolean', { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }, "Invalid type for 'stream': expected a boolean, but got a string instead.", 'stream', 'invalid_type'],
    [
      'stream_options without stream',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], stream_options: { include_usage: true } },
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
      'invalid_value',
    ],
    [
      'tool_choice without tools',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tool_choice: 'required' },
      "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.",
      'tool_choice',
      null,
    ],
    [
      'bad tool name',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'get weather' } }] },
      "Invalid 'tools[0].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
      'tools[0].function.name',
      'invalid_value',
    ],
    [
      'non-strict schema with strict: true',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } } },
      "Invalid schema for response_format 'x': In context=(), 'additionalProperties' is required to be supplied and to be false.",
      'response_format',
      'invalid_json_schema',
    ],
    [
      'json_object without the word json',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } },
      "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      'messages',
      null,
    ],
    [
      'a tool result without its call',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_1', content: 'r' }] },
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
      'messages.[1].role',
      null,
    ],
    [
      'a tool call without its result',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } }] }, { role: 'user', content: 'y' }] },
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_9",
      'messages.[1].role',
      null,
    ],
    ['unknown parameter', { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], top_k: 3 }, 'Unrecognized request argument supplied: top_k', null, null],
    [
      'max_tokens on a reasoning model',
      { model: 'o3', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 },
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    ],
    [
      'temperature out of range',
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], temperature: 3 },
      "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 3 instead.",
      'temperature',
      'decimal_above_max_value',
    ],
  ])('%s', async (_name, body, message, param, code) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { message, type: 'invalid_request_error', param, code } });
  });

  it('refuses a body that is not JSON', async () => {
    const response = await post('{not json');
    expect(response.status).toBe(400);
  });

  it('refuses a missing or wrong key with 401, echoing the key masked as OpenAI does', async () => {
    const missing = await fetch(`${sim.url}/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    const wrong = await post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }, { authorization: 'Bearer sk-wrong-key-1234' });
    expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_api_key', message: expect.stringContaining('sk-wro***1234') } });
  });

  it('answers unknown paths with 404 Invalid URL', async () => {
    const response = await fetch(`${sim.url}/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-test-simulator-key' }, body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/completions)' } });
  });
});

describe('faults', () => {
  const ok = { model: 'gpt-4o', messages: [{ role: 'user', content: 'fault me' }] };

  it('fails a -once fault on the first attempt of a request id only', async () => {
    const headers = { 'x-sim-fault': '503-once', 'x-client-request-id': 'req-once-1' };
    expect((await post(ok, headers)).status).toBe(503);
    expect((await post(ok, headers)).status).toBe(200);
    expect((await post(ok, { ...headers, 'x-client-request-id': 'req-once-2' })).status).toBe(503);
  });

  it('reads faults from the model suffix and from a SIM_FAULT token too', async () => {
    expect((await post({ ...ok, model: 'gpt-4o+429' })).status).toBe(429);
    const response = await post({ model: 'gpt-4o', messages: [{ role: 'user', content: 'SIM_FAULT=502' }] });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: { type: 'server_error' } });
  });

  it('sends Retry-After on injected 429s', async () => {
    const response = await post(ok, { 'x-sim-fault': '429:3' });
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('streams the requested number and size of chunks for load tests', async () => {
    const response = await post({ ...ok, stream: true }, { 'x-sim-fault': 'chunks:5x4' });
    const text = await response.text();
    const deltas = [...text.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).filter((content) => content !== '');
    expect(deltas).toHaveLength(5);
    expect(deltas.every((content) => content?.length === 4)).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('flavors', () => {
  const flavorPost = async (flavorSim: OpenAICompatibleSimulator, path: string, headers: Record<string, string>, body: unknown) =>
    fetch(`${flavorSim.origin}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  it('Azure needs api-version and answers in its own error shape', async () => {
    const azure = await startOpenAICompatibleSimulator({ flavor: 'azure' });
    try {
      const noVersion = await flavorPost(azure, '/openai/deployments/d1/chat/completions', { 'api-key': 'k' }, {});
      expect(noVersion.status).toBe(404);
      expect(await noVersion.json()).toMatchObject({ error: { code: '404', message: 'Resource not found' } });
      const noKey = await flavorPost(azure, '/openai/deployments/d1/chat/completions?api-version=2024-10-21', {}, {});
      expect(noKey.status).toBe(401);
      const filtered = await flavorPost(azure, '/openai/deployments/d1/chat/completions?api-version=2024-10-21', { 'api-key': 'k', 'x-sim-fault': 'content-filter' }, {});
      expect(await filtered.json()).toMatchObject({ error: { code: 'content_filter', param: 'prompt', status: 400 } });
    } finally {
      await azure.close();
    }
  });

  it('Cloudflare routes by account id and answers platform errors in the v4 envelope', async () => {
    const cloudflare = await startOpenAICompatibleSimulator({ flavor: 'cloudflare' });
    try {
      const badAccount = await flavorPost(cloudflare, '/client/v4/accounts/nope/ai/v1/chat/completions', { authorization: 'Bearer t' }, {});
      expect(badAccount.status).toBe(400);
      expect(await badAccount.json()).toMatchObject({ success: false, errors: [{ code: 7003 }] });
      const path = `/client/v4/accounts/${cloudflare.transportOptions['accountId']}/ai/v1/chat/completions`;
      const noToken = await flavorPost(cloudflare, path, {}, {});
      expect(await noToken.json()).toEqual({ success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null });
      const ok = await flavorPost(cloudflare, path, { authorization: 'Bearer t' }, { model: '@cf/meta/llama-3.1-8b-instruct', messages: [{ role: 'user', content: 'hi' }] });
      expect(ok.status).toBe(200);
    } finally {
      await cloudflare.close();
    }
  });

  it('AI/ML API, Hugging Face and DashScope keep their error shapes', async () => {
    const bad = { model: 'm', messages: [] };
    for (const [flavor, path, shape] of [
      ['aiml', '/v1/chat/completions', { statusCode: 400, path: '/v1/chat/completions' }],
      ['huggingface', '/v1/chat/completions', { error: expect.any(String) }],
      ['alibaba', '/compatible-mode/v1/chat/completions', { error: { code: 'empty_array' }, request_id: expect.any(String) }],
    ] as const) {
      const flavorSim = await startOpenAICompatibleSimulator({ flavor });
      try {
        const response = await flavorPost(flavorSim, path, { authorization: 'Bearer k' }, bad);
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject(shape);
      } finally {
        await flavorSim.close();
      }
    }
  });

  it('Fireworks knows models only by their accounts/…/models/… id', async () => {
    const fireworks = await startOpenAICompatibleSimulator({ flavor: 'fireworks' });
    try {
      const response = await flavorPost(fireworks, '/inference/v1/chat/completions', { authorization: 'Bearer k' }, { model: 'llama', messages: [{ role: 'user', content: 'x' }] });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { object: 'error', code: 'NOT_FOUND' } });
    } finally {
      await fireworks.close();
    }
  });

  it('DashScope refuses thinking without streaming', async () => {
    const dashscope = await startOpenAICompatibleSimulator({ flavor: 'alibaba' });
    try {
      const response = await flavorPost(dashscope, '/compatible-mode/v1/chat/completions', { authorization: 'Bearer k' }, { model: 'qwen-plus', enable_thinking: true, messages: [{ role: 'user', content: 'x' }] });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: 'parameter.enable_thinking must be set to false for non-streaming calls' } });
    } finally {
      await dashscope.close();
    }
  });
});
