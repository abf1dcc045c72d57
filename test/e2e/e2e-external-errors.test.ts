/**
 * Failures on the external routes, as OpenAI-compatible clients meet them: OpenAI-shaped bodies the `openai`
 * SDK turns into its own error classes, a Compose Key as the only credential (no x402 here), provider texts
 * that never reach the client unsanitized, and an error after the first byte sent as OpenAI sends it — an
 * in-band `data: {"error":…}` frame — after which the stream ends.
 */
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFrames, drain, parseSse } from '../support/e2e.ts';
import { sharedExternalGateway, type ExternalGateway } from '../support/external-gateway.ts';
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

const CHAT = '/external/v1/chat/completions';
const chatBody = (content: string, model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});

/** The error an SDK call rejected with (failing the test if it resolved). */
const rejection = async (call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> => {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
};

/** What the simulators' provider keys are: none of them may appear in anything a client receives. */
const providerSecrets = (): string[] =>
  Object.entries(gateway.env)
    .filter(([name, value]) => /KEY|TOKEN|SECRET|CREDENTIAL/i.test(name) && value.length >= 8 && !value.startsWith('{') && !value.startsWith('['))
    .map(([, value]) => value);

describe('credentials: a Compose Key, and nothing else', () => {
  it('answers a request without a key with an OpenAI-shaped 401', async () => {
    const response = await gateway.anonymous(CHAT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chatBody('hi')) });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toEqual({ error: { message: expect.any(String), type: 'authentication_error', code: 'missing_api_key' } });
    expect(response.headers.get('payment-required')).toBeNull();
    expectMatchesContract(CHAT, 'post', 401, body);
  });

  it('lists and retrieves models only for a key, as OpenAI does', async () => {
    for (const path of ['/external/v1/models', '/external/v1/models/gpt-4o-mini']) {
      const response = await gateway.anonymous(path);
      expect(response.status, path).toBe(401);
      const body = await response.json();
      expect(body).toMatchObject({ error: { type: 'authentication_error', code: 'missing_api_key' } });
      expectMatchesContract(path === '/external/v1/models' ? path : '/external/v1/models/{model}', 'get', 401, body);
    }
  });

  it('answers an x402 PAYMENT-SIGNATURE without a key with 401, never a 402 challenge', async () => {
    const signature = Buffer.from(JSON.stringify({ x402Version: 2, payload: {} })).toString('base64');
    for (const path of [CHAT, '/external/v1/responses']) {
      const body = path === CHAT ? chatBody('pay me') : { model: 'gpt-4o-mini', input: 'pay me' };
      const response = await gateway.anonymous(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'payment-signature': signature },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('payment-required')).toBeNull();
      const error = (await response.json()) as { error: unknown };
      expect(error.error).toMatchObject({ type: 'authentication_error' });
      expectMatchesContract(path, 'post', 401, error);
    }
  });

  it('refuses a request without a valid key before reading its body, as OpenAI does', async () => {
    const bodies = ['not json', JSON.stringify({}), JSON.stringify(chatBody('hi', 'no-such-model'))];
    for (const authorization of [undefined, 'Bearer compose-not-a-real-key']) {
      for (const body of bodies) {
        const response = await gateway.anonymous(CHAT, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body,
        });
        expect({ authorization, body, status: response.status }).toEqual({ authorization, body, status: 401 });
        expectMatchesContract(CHAT, 'post', 401, await response.json());
      }
    }
  });

  it('turns a missing or invalid key into the SDK AuthenticationError', async () => {
    const invalid = await rejection(gateway.external('compose-not-a-real-key').chat.completions.create(chatBody('hi') as never));
    expect(invalid).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(invalid.status).toBe(401);
    expect(invalid.type).toBe('authentication_error');
    const foreign = await rejection(gateway.external('sk-an-openai-key-not-ours').responses.create({ model: 'gpt-4o-mini', input: 'hi' }));
    expect(foreign).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('unknown models', () => {
  it('answers an unknown model with 404 model_not_found, on generation and on retrieval', async () => {
    const chat = await rejection(client.chat.completions.create(chatBody('hi', 'no-such-model/anywhere') as never));
    expect(chat).toBeInstanceOf(OpenAI.NotFoundError);
    expect(chat.code).toBe('model_not_found');

    const responses = await rejection(client.responses.create({ model: 'no-such-model', input: 'hi' }));
    expect(responses).toBeInstanceOf(OpenAI.NotFoundError);
    expect(responses.code).toBe('model_not_found');

    const retrieved = await rejection(client.models.retrieve('no-such/model'));
    expect(retrieved).toBeInstanceOf(OpenAI.NotFoundError);
    expect(retrieved.code).toBe('model_not_found');

    const raw = await gateway.post(CHAT, chatBody('hi', 'no-such-model'));
    expect(raw.status).toBe(404);
    const body = (await raw.json()) as { error: unknown };
    expect(body.error).toMatchObject({ code: 'model_not_found', type: 'not_found_error' });
    expectMatchesContract(CHAT, 'post', 404, body);
    const model = await gateway.fetch('/external/v1/models/no-such/model');
    expectMatchesContract('/external/v1/models/{model}', 'get', 404, await model.json());
  });
});

/**
 * Each provider's own content-filter wording (OpenAI's "safety system", Azure's "content management policy" with
 * a documentation link) becomes one neutral message; the diagnostic headers still say which provider and model
 * refused.
 */
describe.each([
  { provider: 'openai', model: 'gpt-4o-mini', extra: {} },
  { provider: 'azure', model: 'gpt-4o', extra: { provider: 'azure' } },
])('a content-filter refusal from $provider', ({ provider, model, extra }) => {
  it.each([false, true])('reaches the client as a sanitized generic message, diagnostic headers kept (stream: %s)', async (stream) => {
    const response = await gateway.post(CHAT, chatBody('Something filtered SIM_FAULT=content-filter', model, { ...extra, stream }));
    const text = await response.text();
    expect(response.status).toBe(400);
    const body = JSON.parse(text);
    expect(body.error).toMatchObject({ code: 'content_filter', type: 'invalid_request_error', message: "The request was blocked by the provider's content filter." });
    expect(text).not.toMatch(/safety system|content management policy|responsible ai|https?:\/\//i);
    expect(text).not.toContain('SIM_FAULT');
    expectMatchesContract(CHAT, 'post', 400, body);
    expect({
      public: response.headers.get('x-compose-public-model'),
      provider: response.headers.get('x-compose-upstream-provider'),
      wire: response.headers.get('x-compose-upstream-model'),
    }).toEqual({ public: model, provider, wire: model });
  });

  it('reaches the openai SDK as a BadRequestError with the same message', async () => {
    const error = await rejection(client.chat.completions.create(chatBody('Filter this SIM_FAULT=content-filter', model, extra) as never));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.code).toBe('content_filter');
    expect(error.message).toContain("The request was blocked by the provider's content filter.");
  });
});

/** Gemini answers a blocked prompt with a 200 and a block reason, which OpenAI's shape says as a finish reason. */
describe('a Gemini prompt block', () => {
  it.each([false, true])('is an answer with finish_reason content_filter and no provider text (stream: %s)', async (stream) => {
    const response = await gateway.post(CHAT, chatBody('Something filtered SIM_FAULT=content-filter', 'gemini-2.5-flash', { stream }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-compose-upstream-provider')).toBe('gemini');
    const text = await response.text();
    expect(text).not.toMatch(/blockReason|SAFETY|safetyRatings|HARM_CATEGORY/);
    const finishes = stream
      ? dataFrames(parseSse(text)).flatMap((f) => ((f.json as { choices?: { finish_reason: string | null }[] })?.choices ?? []).map((c) => c.finish_reason))
      : (JSON.parse(text) as { choices: { finish_reason: string }[] }).choices.map((c) => c.finish_reason);
    expect(finishes.filter(Boolean)).toEqual(['content_filter']);
    if (!stream) expectMatchesContract(CHAT, 'post', 200, JSON.parse(text));
  });
});

describe.each([
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'gemini', model: 'gemini-2.5-flash' },
  { provider: 'vertex', model: 'gemini-2.5-flash' },
])('a provider error that echoes secrets ($provider)', ({ provider, model }) => {
  it('reaches the client with no key, credential or URL in it', async () => {
    const response = await gateway.post(CHAT, chatBody('Leak please SIM_FAULT=leak', model, { provider }));
    expect(response.status).toBeGreaterThanOrEqual(400);
    const text = await response.text();
    const body = JSON.parse(text);
    expect(body.error.message).toBeTruthy();
    expect(text).not.toMatch(/https?:\/\/|googleapis\.com|sim\.example\.com/i);
    expect(text).not.toContain(gateway.apiKey);
    expect(text).not.toMatch(/Bearer\s+(?!\[redacted\])\S/);
    const secrets = providerSecrets();
    // The simulators' keys, from the shared runtime's endpoints file: without them this check would pass vacuously.
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expectMatchesContract(CHAT, 'post', response.status, body);
  });
});

describe.each([
  { provider: 'openai', model: 'gpt-4o-mini' },
  { provider: 'gemini', model: 'gemini-2.5-flash' },
])('an error after the first byte ($provider)', ({ provider, model }) => {
  const prompt = 'Tell me a long story about the sea SIM_FAULT=midstream-error';

  it('is an in-band OpenAI error the openai SDK throws as APIError, after the text that came first', async () => {
    const stream = await client.chat.completions.create({ ...chatBody(prompt, model, { provider }), stream: true } as never);
    const { items, error } = await drain(stream as unknown as AsyncIterable<ChatCompletionChunk>);

    expect(items.length).toBeGreaterThan(0);
    expect(items.map((c) => c.choices[0]?.delta.content ?? '').join('')).not.toBe('');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toBeTruthy();
  });

  it('is a data frame {"error":…} with no event name on the wire, and the stream then ends', async () => {
    const response = await gateway.post(CHAT, { ...chatBody(prompt, model, { provider }), stream: true });
    expect(response.status).toBe(200);
    // text() resolves only once the gateway has closed the body.
    const text = await response.text();

    expect(text).not.toMatch(/^event:/m);
    const frames = dataFrames(parseSse(text));
    const errors = frames.filter((f) => f.json && typeof f.json === 'object' && 'error' in f.json);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.json).toEqual({ error: { message: expect.any(String), type: expect.any(String), code: expect.any(String) } });
    expect(errors[0]!.event).toBeUndefined();
    // Nothing but the end of the stream follows the error.
    const after = frames.slice(frames.indexOf(errors[0]!) + 1);
    expect(after.every((f) => f.data === '[DONE]')).toBe(true);
    // No frame before it pretended the answer had finished.
    const finishes = frames.flatMap((f) => ((f.json as { choices?: { finish_reason: string | null }[] })?.choices ?? []).map((c) => c.finish_reason)).filter(Boolean);
    expect(finishes).toEqual([]);
  });

  it('ends a streamed response with an error the openai SDK throws', async () => {
    const stream = await client.responses.create({ model, input: prompt, stream: true, provider } as never);
    const { items, error } = await drain(stream as unknown as AsyncIterable<ResponseStreamEvent>);

    expect(items[0]?.type).toBe('response.created');
    expect(items.some((e) => e.type === 'response.completed')).toBe(false);
    expect(error).toBeInstanceOf(OpenAI.APIError);
  });
});
