/**
 * The reference-client suite, part one: the official `openai` Node SDK, used as its README and docs show it,
 * against both base URLs a user is given — `/v1` (native: Compose Keys or x402, receipts) and `/external/v1`
 * (the OpenAI-compatible mirror: Compose Keys, OpenAI shapes only). Nothing here reaches past the SDK's public
 * API: if an idiom needs a workaround, the gateway is not a drop-in.
 */
import OpenAI from 'openai';
import type { RunnableToolFunctionWithParse } from 'openai/lib/RunnableFunction';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFrames, parseSse, sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import { pngBytes, upload, wavBytes } from '../support/media-e2e.ts';

let gateway: E2eRuntime;
beforeAll(async () => {
  // npm start's video pipeline polls the provider every 15 s: the one video test waits on it, costing time, not CPU.
  gateway = await sharedE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

const BASES = [
  { base: '/v1', native: true },
  { base: '/external/v1', native: false },
] as const;

const clientFor = (base: string, apiKey = gateway.apiKey): OpenAI => new OpenAI({ baseURL: `${gateway.url}${base}`, apiKey, maxRetries: 0 });

const weather: RunnableToolFunctionWithParse<{ city: string }> = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    parse: (text: string) => JSON.parse(text) as { city: string },
    function: ({ city }: { city: string }) => `sunny in ${city}`,
  },
};

describe.each(BASES)('the openai SDK on $base', ({ base, native }) => {
  let client: OpenAI;
  beforeAll(() => {
    client = clientFor(base);
  });

  it('lists models with OpenAI\u2019s fields on every row, and retrieves one', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model.object).toBe('model');
      expect(typeof model.created).toBe('number');
      expect(model.owned_by).toEqual(expect.any(String));
      ids.push(model.id);
    }
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(ids).toContain('gpt-4o-mini');
    const one = await client.models.retrieve('gpt-4o-mini');
    expect(one).toMatchObject({ id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' });
  });

  it('answers a chat completion named the way routers name models (openai/gpt-4o-mini)', async () => {
    const completion = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] });
    expect(completion.choices[0]!.message.content).toBe('You said: Hello there');
    expect(completion.model).toBe('gpt-4o-mini');
  });

  it('streams chat with the everyday loop, which never meets a chunk without a choice', async () => {
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Stream it' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]!.delta.content ?? '';
    expect(text).toBe('You said: Stream it');
  });

  it('accumulates a chat stream with chat.completions.stream()', async () => {
    const runner = client.chat.completions.stream({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Helper stream' }] });
    const deltas: string[] = [];
    runner.on('content', (delta) => deltas.push(delta));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('You said: Helper stream');
    expect(deltas.join('')).toBe('You said: Helper stream');
  });

  it('runs a tool loop with runTools()', async () => {
    const runner = client.chat.completions.runTools({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Call get_weather for Paris' }],
      tools: [weather],
    });
    expect(await runner.finalContent()).toMatch(/^The tool get_weather returned sunny in /);
    expect((await runner.allChatCompletions()).length).toBe(2);
  });

  it('creates, streams (helper), retrieves, lists input items of and deletes a response', async () => {
    const created = await client.responses.create({ model: 'openai/gpt-4o-mini', input: 'Remember me' });
    expect(created.output_text).toBe('You said: Remember me');
    // Clients test `!== null`: absent values are OpenAI's null, not missing.
    expect(created.error).toBeNull();
    expect(created.previous_response_id).toBeNull();
    expect('receipt' in created).toBe(native);

    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Stream the helper', previous_response_id: created.id });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text).toBe(deltas.join(''));
    expect(final.previous_response_id).toBe(created.id);
    expect('receipt' in final).toBe(native);

    const retrieved = await client.responses.retrieve(created.id);
    expect(retrieved.output_text).toBe('You said: Remember me');
    const items = [];
    for await (const item of client.responses.inputItems.list(created.id)) items.push(item);
    expect(items).toHaveLength(1);

    await client.responses.delete(created.id);
    const gone = await client.responses.retrieve(created.id).catch((error: unknown) => error);
    expect(gone).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('streams a response with the raw event iterator, every event one OpenAI knows', async () => {
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Raw events', stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.every((type) => type.startsWith('response.'))).toBe(true);
  });

  it('embeds text', async () => {
    const embedding = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['one', 'two'] });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0]!.embedding.length).toBeGreaterThan(0);
  });

  it('generates and edits images', async () => {
    const generated = await client.images.generate({ model: 'gpt-image-1', prompt: 'a kite', size: '1024x1024', quality: 'low' });
    // The gateway answers GPT Image by URL unless b64_json is asked for (see the images route).
    expect(generated.data![0]!.b64_json ?? generated.data![0]!.url).toEqual(expect.any(String));
    const edited = await client.images.edit({ model: 'gpt-image-1', prompt: 'at night', image: await upload(pngBytes(64, 64), 'day.png', 'image/png'), size: '1024x1024', quality: 'low' });
    expect(edited.data![0]!.b64_json ?? edited.data![0]!.url).toEqual(expect.any(String));
  });

  it('speaks, transcribes and translates audio', async () => {
    const speech = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello.', response_format: 'wav' });
    expect((await speech.arrayBuffer()).byteLength).toBeGreaterThan(44);
    const transcript = await client.audio.transcriptions.create({ model: 'whisper-1', file: await upload(wavBytes(6), 'talk.wav') });
    expect(transcript.text).toBe('Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.');
    const translation = await client.audio.translations.create({ model: 'whisper-1', file: await upload(wavBytes(6), 'parole.wav') });
    expect(translation.text).toBe('Sentence 1 of the simulated translation. Sentence 2 of the simulated translation.');
  });

  it('moderates text', async () => {
    const moderation = await client.moderations.create({ model: 'omni-moderation-latest', input: ['a kind word', 'SIM_FLAG=violence'] });
    expect(moderation.results.map((result) => result.flagged)).toEqual([false, true]);
    expect(moderation.results[1]!.categories.violence).toBe(true);
    // The default model, as OpenAI's.
    expect((await client.moderations.create({ input: 'hello' })).results).toHaveLength(1);
  });

  it('refuses an unknown model with model_not_found and the closest ids', async () => {
    const error = await client.chat.completions.create({ model: 'gpt-4o-mni', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((error as Error).message).toMatch(/Did you mean: .*gpt-4o-mini/);
  });
});

describe('receipts on native streams, on the wire', () => {
  const frames = async (response: Response) => dataFrames(parseSse(await response.text()));

  it('puts a Responses stream\u2019s receipt in response.completed, and adds compose.* events only on request', async () => {
    const plain = await frames(await gateway.post('/v1/responses', { model: 'gpt-4o-mini', input: 'plain', stream: true }));
    expect(plain.some((f) => f.event?.startsWith('compose.'))).toBe(false);
    expect(plain.at(-1)!.data).toBe('[DONE]');
    const completed = (plain.at(-2)!.json as { type: string; response: { receipt: { final_amount_wei: string } } });
    expect(completed.type).toBe('response.completed');
    expect(BigInt(completed.response.receipt.final_amount_wei)).toBeGreaterThan(0n);

    const opted = await frames(await gateway.post('/v1/responses', { model: 'gpt-4o-mini', input: 'opted in', stream: true }, { 'x-compose-events': 'true' }));
    expect(opted.map((f) => f.event ?? f.data).slice(-3)).toEqual(['response.completed', '[DONE]', 'compose.receipt']);
    const { type, ...receipt } = opted.at(-1)!.json as { type: string };
    expect(type).toBe('compose.receipt');
    expect((opted.at(-3)!.json as { response: { receipt: unknown } }).response.receipt).toEqual(receipt);
  });

  it('sends a chat stream\u2019s receipt after [DONE], chunk-shaped', async () => {
    const chat = await frames(await gateway.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }));
    expect(chat.at(-2)!.data).toBe('[DONE]');
    expect(chat.at(-1)).toMatchObject({ event: 'compose.receipt', json: { object: 'compose.receipt', choices: [] } });
  });
});

describe('the new routes on the wire', () => {
  it('answers moderation with a zero provider amount and the platform fee alone (native)', async () => {
    const response = await gateway.post('/v1/moderations', { input: 'hello' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { receipt: { provider_amount_wei: string; platform_fee_wei: string; final_amount_wei: string } };
    expectMatchesContract('/v1/moderations', 'post', 200, body);
    expect(body.receipt.provider_amount_wei).toBe('0');
    expect(body.receipt.platform_fee_wei).toBe('100');
    expect(body.receipt.final_amount_wei).toBe('100');
  });

  it('translates on Azure OpenAI deployments (azure/whisper)', async () => {
    const form = new FormData();
    form.set('model', 'azure/whisper');
    form.set('response_format', 'verbose_json');
    form.set('file', new Blob([wavBytes(4)], { type: 'audio/wav' }), 'parole.wav');
    const response = await gateway.fetch('/v1/audio/translations', { method: 'POST', body: form });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(body)).toBe(200);
    expectMatchesContract('/v1/audio/translations', 'post', 200, body);
    expect(body).toMatchObject({ task: 'translate', language: 'english', text: 'Sentence 1 of the simulated translation.' });
    expect(response.headers.get('x-routing-final-model')).toBe('whisper');
  });

  it('refuses translation by a model that only transcribes, and the transcription-only fields', async () => {
    for (const [fields, code] of [
      [{ model: 'gpt-4o-transcribe' }, 'unsupported_operation'],
      [{ model: 'whisper-1', language: 'fr' }, 'unknown_parameter'],
      [{ model: 'whisper-1', stream: 'true' }, 'unknown_parameter'],
    ] as const) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      form.set('file', new Blob([wavBytes(2)], { type: 'audio/wav' }), 'a.wav');
      const response = await gateway.fetch('/v1/audio/translations', { method: 'POST', body: form });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('keeps a stored response to the key that created it, on both surfaces, delete included', async () => {
    const created = (await (await gateway.post('/v1/responses', { model: 'gpt-4o-mini', input: 'mine' })).json()) as { id: string };
    const stranger = await gateway.mintDevKey(1);
    for (const base of ['/v1', '/external/v1']) {
      const other = clientFor(base, stranger);
      expect(await other.responses.retrieve(created.id).catch((e: unknown) => (e as { status: number }).status)).toBe(404);
      expect(await other.responses.delete(created.id).catch((e: unknown) => (e as { status: number }).status)).toBe(404);
    }
    const external = await gateway.fetch(`/external/v1/responses/${created.id}`);
    const body = (await external.json()) as Record<string, unknown>;
    expectMatchesContract('/external/v1/responses/{responseId}', 'get', 200, body);
    // External clients get OpenAI's shapes: the native receipt is not shown there.
    expect(body).not.toHaveProperty('receipt');
    const deleted = await gateway.fetch(`/external/v1/responses/${created.id}`, { method: 'DELETE' });
    const answer = await deleted.json();
    expectMatchesContract('/external/v1/responses/{responseId}', 'delete', 200, answer);
    expect(answer).toEqual({ id: created.id, object: 'response', deleted: true });
    expect((await gateway.fetch(`/v1/responses/${created.id}`)).status).toBe(404);
  });

  it('lets an external client poll and download the video it submitted, with the SDK\u2019s videos.retrieve and downloadContent', async () => {
    const submitted = await gateway.post('/external/v1/videos/generations', { model: 'openai/sora-2', prompt: 'A boat at dawn', seconds: '4' });
    const job = (await submitted.json()) as { id: string; status: string };
    expect(submitted.status, JSON.stringify(job)).toBe(202);
    const external = clientFor('/external/v1');
    await expect
      .poll(async () => (await external.videos.retrieve(job.id)).status, { timeout: 60_000, interval: 200 })
      .toBe('completed');
    const video = await gateway.fetch(`/external/v1/videos/${job.id}`);
    const body = await video.json();
    expectMatchesContract('/external/v1/videos/{id}', 'get', 200, body);
    expect(body).not.toHaveProperty('receipt');
    const content = await external.videos.downloadContent(job.id);
    expect(content.headers.get('content-type')).toBe('video/mp4');
    expect((await content.arrayBuffer()).byteLength).toBeGreaterThan(0);
    // Only the key that submitted it reads it.
    const stranger = await gateway.mintDevKey(1);
    expect((await fetch(`${gateway.url}/external/v1/videos/${job.id}`, { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(404);
    expect((await fetch(`${gateway.url}/external/v1/videos/${job.id}/content`, { headers: { authorization: `Bearer ${stranger}` } })).status).toBe(404);
  });

  it('matches the document on the stored-response routes of both surfaces', async () => {
    const created = (await (await gateway.post('/external/v1/responses', { model: 'gpt-4o-mini', input: 'listed' })).json()) as { id: string };
    const items = await (await gateway.fetch(`/external/v1/responses/${created.id}/input_items`)).json();
    expectMatchesContract('/external/v1/responses/{responseId}/input_items', 'get', 200, items);
    const deleted = await (await gateway.fetch(`/v1/responses/${created.id}`, { method: 'DELETE' })).json();
    expectMatchesContract('/v1/responses/{responseId}', 'delete', 200, deleted);
    const again = await gateway.fetch(`/v1/responses/${created.id}`, { method: 'DELETE' });
    expect([again.status, ((await again.json()) as { error: { code: string } }).error.code]).toEqual([404, 'response_not_found']);
  });

  it('refuses a provider prefix the provider field contradicts (400)', async () => {
    const conflict = await gateway.post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', provider: 'azure', messages: [{ role: 'user', content: 'x' }] });
    expect(conflict.status).toBe(400);
    expect(((await conflict.json()) as { error: { code: string } }).error.code).toBe('provider_conflict');
  });
});
