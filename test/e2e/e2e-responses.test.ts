/**
 * The Responses API end to end: the official `openai` SDK against the local runtime, once per provider —
 * create, stream, retrieve, input items, cancel mid-stream, `store: false`, per-credential visibility — and
 * `previous_response_id` chains that hop between providers. Every JSON body is checked against the contract.
 */
import OpenAI from 'openai';
import type { Response as ResponseObject, ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drain, echoOf, onProvider, openAiEvents, sharedE2eRuntime, TEXT_MODELS, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';

let gateway: E2eRuntime;
let client: OpenAI;

beforeAll(async () => {
  // Cancels are noticed at the next poll of the stored record; poll often so the test stays short.
  // The shared runtime polls for a cancel at npm start's pace (CANCEL_POLL_MS, 1 s): a cancelled stream stops
  // within a second, long before its slowed reply would finish.
  gateway = await sharedE2eRuntime();
  client = gateway.client();
});
afterAll(async () => {
  await gateway?.close();
});

const expectResponseContract = (body: unknown): void => expectMatchesContract('/v1/responses', 'post', 200, body);

/** Event types in order, with each run of deltas collapsed to one entry, so the expected order reads plainly. */
const eventOrder = (events: readonly ResponseStreamEvent[]): string[] =>
  events.map((e) => e.type).filter((type, i, all) => !(type.endsWith('.delta') && all[i - 1] === type));

describe.each(TEXT_MODELS)('responses on $provider ($model)', ({ provider, model }) => {
  it('answers a plain request with a completed, stored response', async () => {
    const prompt = `Respond plainly, ${provider}`;
    const { data, response } = await client.responses.create(onProvider({ model, input: prompt }, provider)).withResponse();

    expectResponseContract(data);
    expect(data.object).toBe('response');
    expect(data.id).toMatch(/^resp_/);
    expect(data.status).toBe('completed');
    expect(data.model).toBe(model);
    expect(data.output_text).toBe(echoOf(provider, prompt));
    expect(data.output.filter((item) => item.type === 'message')).toHaveLength(1);
    expect(data.usage!.input_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBeGreaterThanOrEqual(data.usage!.input_tokens + data.usage!.output_tokens);
    expect(response.headers.get('x-compose-response-id')).toBe(data.id);
    expect(response.headers.get('x-routing-attempts')).toBe('1');
  });

  it('streams events from response.created to response.completed whose text deltas reassemble the reply', async () => {
    const prompt = `Stream the response, ${provider}`;
    const { data: stream, response } = await client.responses.create(onProvider({ model, input: prompt, stream: true }, provider)).withResponse();
    const events: ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    // Only OpenAI's event types unless the request opts in to compose.* events; the receipt is in response.completed.

    expect(eventOrder(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));

    const text = events.flatMap((e) => (e.type === 'response.output_text.delta' ? [e.delta] : [])).join('');
    expect(text).toBe(echoOf(provider, prompt));
    const done = events.find((e) => e.type === 'response.output_text.done');
    expect(done?.type === 'response.output_text.done' && done.text).toBe(text);

    const created = events[0]!.type === 'response.created' ? events[0]!.response : undefined;
    const completed = events.at(-1)!.type === 'response.completed' ? (events.at(-1) as { response: ResponseObject }).response : undefined;
    expectResponseContract(created);
    expectResponseContract(completed);
    expect(created!.status).toBe('in_progress');
    expect(completed!.status).toBe('completed');
    expect(completed!.id).toBe(created!.id);
    expect(response.headers.get('x-compose-response-id')).toBe(created!.id);
    expect(completed!.usage!.total_tokens).toBeGreaterThan(0);
    expect((completed as unknown as { receipt: { final_amount_wei: string } }).receipt.final_amount_wei).toMatch(/^[1-9][0-9]*$/);

    // Once the stream says completed, the stored record says so too, with the same output items (ids included).
    const stored = await client.responses.retrieve(created!.id);
    expect(stored.status).toBe('completed');
    expect(stored.output).toEqual(completed!.output);
    expect(stored.output_text).toBe(text);
  });

  it('retrieves a stored response and lists its input items', async () => {
    const prompt = `Keep this, ${provider}`;
    const created = await client.responses.create(onProvider({ model, input: prompt, instructions: 'Be brief.' }, provider));

    const retrieved = await client.responses.retrieve(created.id);
    expectMatchesContract('/v1/responses/{responseId}', 'get', 200, retrieved);
    expect(retrieved).toMatchObject({ id: created.id, status: 'completed', model, instructions: 'Be brief.' });
    expect(retrieved.output).toEqual(created.output);
    expect(retrieved.output_text).toBe(echoOf(provider, prompt));

    const items = await client.responses.inputItems.list(created.id);
    const raw = await gateway.fetch(`/v1/responses/${created.id}/input_items`);
    expectMatchesContract('/v1/responses/{responseId}/input_items', 'get', 200, await raw.json());
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] });
    expect(items.data[0]!.id).toBeTruthy();
    expect(items.has_more).toBe(false);
  });

  it('cancels a generation mid-stream: the stream ends with an error and the record says cancelled', async () => {
    const input = `Tell me a long story about the sea, the wind and the lighthouse keeper ${provider} SIM_FAULT=chunk-delay:200`;
    const { data: stream, response } = await client.responses.create(onProvider({ model, input, stream: true }, provider)).withResponse();
    const id = response.headers.get('x-compose-response-id')!;
    const events = stream[Symbol.asyncIterator]();
    const first = await events.next();
    expect(first.value).toMatchObject({ type: 'response.created', response: { id, status: 'in_progress' } });

    const cancel = await gateway.fetch(`/v1/responses/${id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(200);
    const cancelled = await cancel.json();
    expectMatchesContract('/v1/responses/{responseId}/cancel', 'post', 200, cancelled);
    expect(cancelled).toMatchObject({ id, object: 'response', status: 'cancelled' });

    const rest = await drain({ [Symbol.asyncIterator]: () => events });
    expect(rest.error).toBeInstanceOf(OpenAI.APIError);
    expect((rest.error as InstanceType<typeof OpenAI.APIError>).code).toBe('response_cancelled');
    // The stream stopped early: the reply never finished.
    expect(rest.items.some((e) => e.type === 'response.completed')).toBe(false);

    const stored = await client.responses.retrieve(id);
    expectMatchesContract('/v1/responses/{responseId}', 'get', 200, stored);
    expect(stored.status).toBe('cancelled');
  });
});

const WEATHER_TOOL = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Current weather for a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

/** Each provider's tool call is answered on the next provider in the table, through previous_response_id. */
describe.each(TEXT_MODELS.map((m, i) => ({ ...m, next: TEXT_MODELS[(i + 1) % TEXT_MODELS.length]! })))(
  'tool calls on $provider, answered on $next.provider',
  ({ provider, model, next }) => {
    it('streams a function call item whose argument deltas reassemble, then continues from its output', async () => {
      const stream = await client.responses.create(
        onProvider({ model, input: 'Call get_weather with city=Paris', tools: [WEATHER_TOOL], tool_choice: 'required', stream: true }, provider),
      );
      const events = openAiEvents((await drain(stream)).items);
      expect(eventOrder(events)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ]);
      const args = events.flatMap((e) => (e.type === 'response.function_call_arguments.delta' ? [e.delta] : [])).join('');
      expect(JSON.parse(args)).toEqual({ city: expect.any(String) });
      const completed = (events.at(-1) as { response: ResponseObject }).response;
      expectResponseContract(completed);
      const call = completed.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: args, status: 'completed' });
      if (call?.type !== 'function_call') return;

      const answered = await client.responses.create(
        onProvider(
          {
            model: next.model,
            previous_response_id: completed.id,
            tools: [WEATHER_TOOL],
            input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature_c":21}' }],
          },
          next.provider,
        ),
      );
      expectResponseContract(answered);
      expect(answered.status).toBe('completed');
      expect(answered.output_text).toMatch(/get_weather returned \{"temperature_c":21\}/);
    });
  },
);

describe('reasoning', () => {
  it.each([
    { provider: 'openai', model: 'o4-mini' },
    { provider: 'gemini', model: 'gemini-2.5-flash' },
  ])('streams a reasoning summary item before the message on $provider', async ({ provider, model }) => {
    const stream = await client.responses.create(
      onProvider({ model, input: 'Think it through', reasoning: { effort: 'low', summary: 'auto' }, stream: true }, provider),
    );
    const events = openAiEvents((await drain(stream)).items);
    expect(eventOrder(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const summary = events.flatMap((e) => (e.type === 'response.reasoning_summary_text.delta' ? [e.delta] : [])).join('');
    expect(summary).not.toBe('');
    const completed = (events.at(-1) as { response: ResponseObject }).response;
    expect(completed.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(completed.output[0]).toMatchObject({ summary: [{ type: 'summary_text', text: summary }] });
    expect(completed.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThan(0);
  });
});

describe('large records', () => {
  it('keeps a response too large for a DynamoDB item in S3, and reads it back whole', async () => {
    // Well over the 350 KB inline limit, well under the model's context.
    const input = `Remember this. ${'lorem ipsum dolor sit amet '.repeat(16_000)}`;
    const created = await client.responses.create({ model: 'gpt-4o-mini', input });
    const items = await client.responses.inputItems.list(created.id);
    expect(items.data[0]).toMatchObject({ content: [{ type: 'input_text', text: input }] });
    expect((await client.responses.retrieve(created.id)).output_text).toBe(created.output_text);

    const next = await client.responses.create({ model: 'gpt-4o-mini', input: 'What was it?', previous_response_id: created.id });
    expect(next.output_text).toMatch(/^You said: What was it\? Earlier you said: Remember this\. lorem ipsum/);
  });
});

describe('previous_response_id across providers', () => {
  it('carries the conversation from openai to gemini to fireworks to vertex to azure', async () => {
    const first = await client.responses.create(onProvider({ model: 'gpt-4o-mini', input: 'My name is Ada.' }, 'openai'));
    expect(first.output_text).toBe('You said: My name is Ada.');

    // Gemini's simulator numbers the user turns it was sent: turn 2 means it saw the first one.
    const second = await client.responses.create(onProvider({ model: 'gemini-2.5-flash', input: 'What is my name?', previous_response_id: first.id }, 'gemini'));
    expectResponseContract(second);
    expect(second.output_text).toBe('Echo: What is my name? (turn 2)');
    expect(second.previous_response_id).toBe(first.id);

    // The OpenAI-compatible simulator quotes the first user turn it was sent.
    const third = await client.responses.create(
      onProvider({ model: 'accounts/fireworks/models/kimi-k2-instruct', input: 'Say it again.', previous_response_id: second.id }, 'fireworks'),
    );
    expect(third.output_text).toBe('You said: Say it again. Earlier you said: My name is Ada.');

    const fourth = await client.responses.create(onProvider({ model: 'gemini-2.5-flash', input: 'Once more.', previous_response_id: third.id }, 'vertex'));
    expect(fourth.output_text).toBe('Echo: Once more. (turn 4)');

    const fifth = await client.responses.create(onProvider({ model: 'gpt-4o', input: 'And finally?', previous_response_id: fourth.id, stream: false }, 'azure'));
    expect(fifth.output_text).toBe('You said: And finally? Earlier you said: My name is Ada.');

    // Each record keeps only its own input; the chain lives in previous_response_id.
    const items = await client.responses.inputItems.list(fifth.id);
    expect(items.data.map((item) => (item as { content: { text: string }[] }).content[0]!.text)).toEqual(['And finally?']);
    expect((await client.responses.retrieve(fifth.id)).previous_response_id).toBe(fourth.id);
  });

  it('continues a chain in a streamed turn', async () => {
    const first = await client.responses.create(onProvider({ model: 'gemini-2.5-flash', input: 'Remember the number 42.' }, 'gemini'));
    const stream = await client.responses.create(
      onProvider({ model: 'gpt-4o-mini', input: 'Which number?', previous_response_id: first.id, stream: true }, 'openai'),
    );
    const { items, error } = await drain(stream);
    expect(error).toBeUndefined();
    const completed = openAiEvents(items).at(-1)!;
    expect(completed.type).toBe('response.completed');
    const stored = await client.responses.retrieve((completed as { response: ResponseObject }).response.id);
    expect(stored.output_text).toBe('You said: Which number? Earlier you said: Remember the number 42.');
  });

  it('answers from the history alone when only previous_response_id is given', async () => {
    const first = await client.responses.create(onProvider({ model: 'gpt-4o-mini', input: 'Only once.' }, 'openai'));
    const again = await client.responses.create(onProvider({ model: 'gpt-4o-mini', previous_response_id: first.id }, 'openai'));
    expectResponseContract(again);
    expect(again.status).toBe('completed');
  });

  it('refuses a previous_response_id that does not exist', async () => {
    const error = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'hi', previous_response_id: 'resp_does_not_exist' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('response_not_found');
  });
});

describe('what is stored and who can read it', () => {
  it('stores nothing for store: false', async () => {
    for (const stream of [false, true]) {
      const { response } = await client.responses.create({ model: 'gpt-4o-mini', input: 'Forget this.', store: false, stream } as never).withResponse();
      const id = response.headers.get('x-compose-response-id')!;
      if (stream) await response.text();
      expect(id).toMatch(/^resp_/);
      const got = await gateway.fetch(`/v1/responses/${id}`);
      expect(got.status).toBe(404);
      expectMatchesContract('/v1/responses/{responseId}', 'get', 404, await got.json());
      await expect(client.responses.retrieve(id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
      await expect(client.responses.create({ model: 'gpt-4o-mini', input: 'and?', previous_response_id: id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    }
  });

  it('hides a record from any other credential: retrieve, input items, cancel and continuing all answer 404', async () => {
    const created = await client.responses.create({ model: 'gpt-4o-mini', input: 'Mine only.' });
    const stranger = gateway.client(await gateway.mintDevKey(5));

    await expect(stranger.responses.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.responses.inputItems.list(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.responses.cancel(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(stranger.responses.create({ model: 'gpt-4o-mini', input: 'x', previous_response_id: created.id })).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    // Nobody proven: the answer is a sign-in challenge (x402 Sign-In-With-X), never the record.
    const anonymous = await fetch(`${gateway.url}/v1/responses/${created.id}`);
    expect(anonymous.status).toBe(402);
    expect(JSON.stringify(await anonymous.json())).not.toContain('Mine only.');

    // The owner still sees it, untouched.
    expect((await client.responses.retrieve(created.id)).status).toBe('completed');
  });

  it('refuses to cancel a finished response with 409', async () => {
    const created = await client.responses.create({ model: 'gpt-4o-mini', input: 'Done already.' });
    const cancel = await gateway.fetch(`/v1/responses/${created.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(409);
    const body = await cancel.json();
    expectMatchesContract('/v1/responses/{responseId}/cancel', 'post', 409, body);
    expect(body).toMatchObject({ error: { code: 'response_not_cancellable' } });
  });
});
