/**
 * Every way a text request can be wrong gets its own 4xx and a stable code, in the OpenAI error envelope, before
 * any provider is called — and nothing a client sends turns into a 500. Raw HTTP, so the SDK cannot tidy
 * anything up on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract, expectMatchesSchema } from '../support/openapi.ts';

let gateway: E2eRuntime;

beforeAll(async () => {
  gateway = await sharedE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

const CHAT = '/v1/chat/completions';
const RESPONSES = '/v1/responses';
const user = [{ role: 'user', content: 'hello' }];
const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } });

interface Refusal {
  readonly status: number;
  readonly code: string;
  /** The parameter the message blames, when the error is about one field. */
  readonly param?: string;
}

const expectRefusal = async (response: Response, expected: Refusal, contractPath?: string): Promise<Record<string, unknown>> => {
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect({ status: response.status, code: body.error?.code }).toEqual({ status: expected.status, code: expected.code });
  expect(body.error.type).toBe(expected.status === 404 ? 'not_found_error' : 'invalid_request_error');
  expect(body.error.message).toEqual(expect.any(String));
  if (expected.param) expect(body.error.param).toBe(expected.param);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  // A 413 comes from API Gateway itself (here, its local stand-in): no function ran to mint a request id.
  if (expected.status !== 413) expect(response.headers.get('x-request-id')).toBeTruthy();
  if (contractPath) expectMatchesContract(contractPath, 'post', expected.status, body);
  expectMatchesSchema('ErrorEnvelope', body);
  return body;
};

const chatCases: [string, Record<string, unknown>, Refusal][] = [
  ['no model', { messages: user }, { status: 400, code: 'missing_model', param: 'model' }],
  ['an empty model', { model: '', messages: user }, { status: 400, code: 'missing_model', param: 'model' }],
  ['a model that is not a string', { model: 42, messages: user }, { status: 400, code: 'invalid_model', param: 'model' }],
  ['no messages', { model: 'gpt-4o-mini' }, { status: 400, code: 'invalid_messages', param: 'messages' }],
  ['an empty messages array', { model: 'gpt-4o-mini', messages: [] }, { status: 400, code: 'invalid_messages', param: 'messages' }],
  ['messages that are a string', { model: 'gpt-4o-mini', messages: 'hello' }, { status: 400, code: 'invalid_messages', param: 'messages' }],
  ['a message with an unknown role', { model: 'gpt-4o-mini', messages: [{ role: 'robot', content: 'x' }] }, { status: 400, code: 'invalid_messages' }],
  ['a message that is not an object', { model: 'gpt-4o-mini', messages: ['hello'] }, { status: 400, code: 'invalid_messages' }],
  ['a tool message without tool_call_id', { model: 'gpt-4o-mini', messages: [...user, { role: 'tool', content: 'x' }] }, { status: 400, code: 'invalid_messages' }],
  ['stream "yes"', { model: 'gpt-4o-mini', messages: user, stream: 'yes' }, { status: 400, code: 'invalid_stream', param: 'stream' }],
  ['stream 1', { model: 'gpt-4o-mini', messages: user, stream: 1 }, { status: 400, code: 'invalid_stream', param: 'stream' }],
  ['an unknown model', { model: 'no-such-model-anywhere', messages: user }, { status: 404, code: 'model_not_found', param: 'model' }],
  ['a provider that does not serve the model', { model: 'gpt-4o-mini', provider: 'gemini', messages: user }, { status: 404, code: 'model_not_found' }],
  ['an image model', { model: 'dall-e-3', messages: user }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ['an embeddings model', { model: 'text-embedding-3-small', messages: user }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ['tools that are not an array', { model: 'gpt-4o-mini', messages: user, tools: 'get_weather' }, { status: 400, code: 'invalid_tools', param: 'tools' }],
  ['a tool with a bad name', { model: 'gpt-4o-mini', messages: user, tools: [tool('get weather!')] }, { status: 400, code: 'invalid_tools', param: 'tools' }],
  ['a tool of an unknown type', { model: 'gpt-4o-mini', messages: user, tools: [{ type: 'retrieval' }] }, { status: 400, code: 'invalid_tools', param: 'tools' }],
  ['a tool whose parameters are not an object', { model: 'gpt-4o-mini', messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: 'x' } }] }, { status: 400, code: 'invalid_tools' }],
  ['tool_choice "sometimes"', { model: 'gpt-4o-mini', messages: user, tools: [tool('f')], tool_choice: 'sometimes' }, { status: 400, code: 'invalid_tool_choice', param: 'tool_choice' }],
  ['tool_choice naming a missing tool', { model: 'gpt-4o-mini', messages: user, tools: [tool('f')], tool_choice: { type: 'function', function: { name: 'g' } } }, { status: 400, code: 'invalid_tool_choice' }],
  ['tool_choice "required" without tools', { model: 'gpt-4o-mini', messages: user, tool_choice: 'required' }, { status: 400, code: 'invalid_tool_choice' }],
  ['response_format of an unknown type', { model: 'gpt-4o-mini', messages: user, response_format: { type: 'xml' } }, { status: 400, code: 'invalid_response_format', param: 'response_format' }],
  ['json_schema without a schema', { model: 'gpt-4o-mini', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, { status: 400, code: 'invalid_response_format' }],
  ['json_schema with a bad name', { model: 'gpt-4o-mini', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'a b', schema: {} } } }, { status: 400, code: 'invalid_response_format' }],
  ['response_format that is a string', { model: 'gpt-4o-mini', messages: user, response_format: 'json' }, { status: 400, code: 'invalid_response_format' }],
  ['temperature 7', { model: 'gpt-4o-mini', messages: user, temperature: 7 }, { status: 400, code: 'invalid_parameter', param: 'temperature' }],
  ['max_tokens 0', { model: 'gpt-4o-mini', messages: user, max_tokens: 0 }, { status: 400, code: 'invalid_parameter', param: 'max_tokens' }],
  ['n 2', { model: 'gpt-4o-mini', messages: user, n: 2 }, { status: 400, code: 'unsupported_parameter', param: 'n' }],
];

describe('POST /v1/chat/completions refuses', () => {
  it.concurrent.each(chatCases)('%s', async (_name, body, expected) => {
    await expectRefusal(await gateway.post(CHAT, body), expected, CHAT);
  });
});

const responsesCases: [string, Record<string, unknown>, Refusal][] = [
  ['no model', { input: 'hi' }, { status: 400, code: 'missing_model', param: 'model' }],
  ['neither input nor previous_response_id', { model: 'gpt-4o-mini' }, { status: 400, code: 'missing_input', param: 'input' }],
  ['stream "yes"', { model: 'gpt-4o-mini', input: 'hi', stream: 'yes' }, { status: 400, code: 'invalid_stream', param: 'stream' }],
  ['input that is a number', { model: 'gpt-4o-mini', input: 42 }, { status: 400, code: 'invalid_input', param: 'input' }],
  ['an input item with an unknown part', { model: 'gpt-4o-mini', input: [{ role: 'user', content: [{ type: 'hologram' }] }] }, { status: 400, code: 'invalid_input' }],
  ['an unknown model', { model: 'no-such-model-anywhere', input: 'hi' }, { status: 404, code: 'model_not_found', param: 'model' }],
  ['an image model', { model: 'dall-e-3', input: 'hi' }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ['chat-shaped tools', { model: 'gpt-4o-mini', input: 'hi', tools: [tool('f')] }, { status: 400, code: 'invalid_tools', param: 'tools' }],
  ['tool_choice naming a missing tool', { model: 'gpt-4o-mini', input: 'hi', tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'g' } }, { status: 400, code: 'invalid_tool_choice' }],
  ['text.format of an unknown type', { model: 'gpt-4o-mini', input: 'hi', text: { format: { type: 'xml' } } }, { status: 400, code: 'invalid_response_format' }],
  ['an empty previous_response_id', { model: 'gpt-4o-mini', input: 'hi', previous_response_id: '' }, { status: 400, code: 'invalid_previous_response_id' }],
  ['a previous_response_id nobody stored', { model: 'gpt-4o-mini', input: 'hi', previous_response_id: 'resp_nope' }, { status: 404, code: 'response_not_found' }],
];

describe('POST /v1/responses refuses', () => {
  it.concurrent.each(responsesCases)('%s', async (_name, body, expected) => {
    await expectRefusal(await gateway.post(RESPONSES, body), expected, RESPONSES);
  });
});

describe('bodies that are not a JSON object', () => {
  const raw = (path: string, body: string | Buffer) => gateway.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it.each([CHAT, RESPONSES, '/api/inference'])('%s refuses malformed JSON, an empty body and a JSON array', async (path) => {
    await expectRefusal(await raw(path, '{"model": "gpt-4o-mini", "messages": ['), { status: 400, code: 'invalid_json' }, path);
    await expectRefusal(await raw(path, ''), { status: 400, code: 'missing_body' }, path);
    await expectRefusal(await raw(path, '[1,2]'), { status: 400, code: 'invalid_body' }, path);
  });

  it('refuses a body over the 10 MB API Gateway limit with 413', async () => {
    const huge = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] });
    await expectRefusal(await raw(CHAT, huge), { status: 413, code: 'payload_too_large' }, CHAT);
  });

  it('refuses an idempotency key longer than 200 characters', async () => {
    const response = await gateway.post(CHAT, { model: 'gpt-4o-mini', messages: user }, { 'x-idempotency-key': 'k'.repeat(201) });
    await expectRefusal(response, { status: 400, code: 'invalid_idempotency_key' }, CHAT);
  });
});

describe('routes', () => {
  it('answers an unknown route with 404 route_not_found', async () => {
    for (const path of ['/v1/chat/complete', '/v2/responses', '/v1/responses/resp_x/nothing']) {
      const response = await gateway.fetch(path, { method: 'POST', body: '{}' });
      await expectRefusal(response, { status: 404, code: 'route_not_found' });
    }
  });

  it('answers a known route with the wrong method with 405 and Allow', async () => {
    for (const [method, path, allow] of [
      ['GET', CHAT, 'POST'],
      ['PUT', RESPONSES, 'POST'],
      ['PUT', '/v1/responses/resp_x', 'GET, DELETE'],
      ['GET', '/v1/responses/resp_x/cancel', 'POST'],
    ] as const) {
      const response = await gateway.fetch(path, { method });
      expect(response.headers.get('allow')).toBe(allow);
      await expectRefusal(response, { status: 405, code: 'method_not_allowed' });
    }
  });

  it('answers an unknown response id with 404 on every stored-response route', async () => {
    const id = 'resp_0000000000000000000000000000000000000000000000';
    for (const [method, path] of [
      ['GET', `/v1/responses/${id}`],
      ['GET', `/v1/responses/${id}/input_items`],
      ['POST', `/v1/responses/${id}/cancel`],
      ['DELETE', `/v1/responses/${id}`],
      ['GET', `/external/v1/responses/${id}`],
      ['GET', `/external/v1/responses/${id}/input_items`],
      ['DELETE', `/external/v1/responses/${id}`],
    ] as const) {
      const response = await gateway.fetch(path, { method });
      await expectRefusal(response, { status: 404, code: 'response_not_found' });
    }
  });
});

/** Every wrong type in every field: whatever happens, never a 500, and a refusal is always the envelope. */
describe('no 500 anywhere', () => {
  const WRONG = [null, true, 0, -1, 1.5, 'x', '', [], [1], {}, { type: 'x' }];
  const chatFields = ['messages', 'stream', 'stream_options', 'tools', 'tool_choice', 'response_format', 'parallel_tool_calls', 'reasoning_effort', 'reasoning', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed', 'user', 'metadata', 'attachments', 'attachment', 'provider', 'n', 'model'];
  const responsesFields = ['input', 'stream', 'tools', 'tool_choice', 'text', 'reasoning', 'max_output_tokens', 'instructions', 'metadata', 'store', 'previous_response_id', 'attachments', 'provider', 'model'];
  const messageShapes = [
    { role: 'user', content: [{ type: 'image_url' }] },
    { role: 'user', content: [{ type: 'image_url', image_url: { url: 42 } }] },
    { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'xyz' } }] },
    { role: 'user', content: [{ type: 'file', file: {} }] },
    { role: 'user', content: [null] },
    { role: 'user', content: 42 },
    { role: 'assistant', tool_calls: [{ id: 1 }] },
    { role: 'assistant', tool_calls: 'x' },
    { role: 'system', content: [{ type: 'image_url' }] },
  ];

  const expectNoServerError = async (path: string, body: unknown): Promise<void> => {
    const response = await gateway.post(path, body);
    const text = await response.text();
    expect(response.status, `${path} ${JSON.stringify(body).slice(0, 200)} → ${response.status} ${text.slice(0, 200)}`).toBeLessThan(500);
    if (response.status >= 400) expectMatchesSchema('ErrorEnvelope', JSON.parse(text));
  };

  it('for chat fields', async () => {
    await Promise.all(chatFields.flatMap((field) => WRONG.map((value) => expectNoServerError(CHAT, { model: 'gpt-4o-mini', messages: user, [field]: value }))));
  });

  it('for chat message shapes', async () => {
    await Promise.all(messageShapes.map((message) => expectNoServerError(CHAT, { model: 'gpt-4o-mini', messages: [...user, message] })));
  });

  it('for responses fields and input items', async () => {
    await Promise.all([
      ...responsesFields.flatMap((field) => WRONG.map((value) => expectNoServerError(RESPONSES, { model: 'gpt-4o-mini', input: 'hi', [field]: value }))),
      ...WRONG.map((value) => expectNoServerError(RESPONSES, { model: 'gpt-4o-mini', input: [value] })),
      ...WRONG.map((value) => expectNoServerError(RESPONSES, { model: 'gpt-4o-mini', input: [{ role: 'user', content: value }] })),
      ...WRONG.map((value) => expectNoServerError(RESPONSES, { model: 'gpt-4o-mini', input: [{ type: 'function_call_output', call_id: value, output: value }] })),
    ]);
  });
});
