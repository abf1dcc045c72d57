/**
 * Attack suite (issue 10, item 6): bad input is a clean 4xx everywhere, never a 500, decided before any store
 * is asked. Ids too long for a DynamoDB key, bodies nested deep enough to overflow a recursive walker, metadata
 * outside OpenAI's rule, and wrong types in fields OpenAI defines. Every refusal is the OpenAI envelope with a
 * stable code. The id and body routes come from the route table, so a route added later is covered too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/routes.ts';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { multipart, wavBytes } from '../support/media-e2e.ts';
import { expectMatchesContract, expectMatchesSchema } from '../support/openapi.ts';

let gateway: E2eRuntime;

beforeAll(async () => {
  gateway = await sharedE2eRuntime();
});
afterAll(async () => {
  await gateway?.close();
});

interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly param?: string;
}

const expectRefusal = async (response: Response, expected: Refusal, contract?: { path: string; method: string }): Promise<void> => {
  const text = await response.text();
  expect(response.status, text.slice(0, 300)).toBe(expected.status);
  const body = JSON.parse(text) as { error: { code: string; type: string; message: string; param?: string } };
  expectMatchesSchema('ErrorEnvelope', body);
  expect(body.error.code).toBe(expected.code);
  expect(body.error.type).toBe(expected.status === 401 ? 'authentication_error' : 'invalid_request_error');
  // A refusal names the problem without echoing kilobytes of what was sent.
  expect(body.error.message.length).toBeLessThan(400);
  if (expected.param) expect(body.error.param).toBe(expected.param);
  // The contract lists the refusal for the route (routes added by others may not be in it yet).
  if (contract) expectMatchesContract(contract.path, contract.method.toLowerCase(), expected.status, body);
};

const raw = (path: string, body: string, apiKey?: string): Promise<Response> =>
  fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) },
    body,
  });

/** Path parameters that name a stored record, with the 400 a malformed one gets. */
const ID_PARAMS: Readonly<Record<string, { code: string; param: string; wellFormed: string; notFound: string }>> = {
  responseId: { code: 'invalid_response_id', param: 'response_id', wellFormed: `resp_${'0'.repeat(48)}`, notFound: 'response_not_found' },
  id: { code: 'invalid_video_id', param: 'video_id', wellFormed: `video_${'0'.repeat(48)}`, notFound: 'video_not_found' },
};

const idRoutes = ROUTES.flatMap((route) => {
  const name = /\{(\w+)\}/.exec(route.path)?.[1];
  return name && ID_PARAMS[name] ? [{ route, name, rule: ID_PARAMS[name] }] : [];
});

/** Id routes whose 400 the OpenAPI document lists; a route added later is held to the envelope until it is documented. */
const DOCUMENTED_ID_ROUTES = ['GET /v1/responses/{responseId}', 'GET /v1/responses/{responseId}/input_items', 'POST /v1/responses/{responseId}/cancel', 'GET /v1/videos/{id}', 'GET /v1/videos/{id}/stream', 'GET /v1/videos/{id}/content'];

const OVERSIZED = (prefix: string): string => `${prefix}${'a'.repeat(3_000)}`;

describe('ids are bounded by format and length before any store call', () => {
  it('knows every id route of the table', () => {
    expect(idRoutes.map(({ route }) => `${route.method} ${route.path}`)).toEqual(expect.arrayContaining(DOCUMENTED_ID_ROUTES));
  });

  const cases = idRoutes.flatMap(({ route, name, rule }) =>
    [OVERSIZED('resp_'), OVERSIZED('video_'), 'x'.repeat(2_100), 'resp_../../etc', `${rule.wellFormed}${'0'.repeat(60)}`, `${rule.wellFormed.split('_')[0]}_bad!id`].flatMap((id) =>
      (['anonymous', 'with a key'] as const).map((who) => [`${route.method} ${route.path} ${who}, id ${id.slice(0, 12)}… (${id.length})`, route, name, rule, id, who] as const),
    ),
  );

  it.concurrent.each(cases)('%s: 400', async (_label, route, name, rule, id, who) => {
    const path = route.path.replace(`{${name}}`, encodeURIComponent(id));
    const headers: Record<string, string> = who === 'with a key' ? { authorization: `Bearer ${gateway.apiKey}` } : {};
    const contract = DOCUMENTED_ID_ROUTES.includes(`${route.method} ${route.path}`) ? { path: route.path, method: route.method } : undefined;
    await expectRefusal(await fetch(`${gateway.url}${path}`, { method: route.method, headers }), { status: 400, code: rule.code, param: rule.param }, contract);
  });

  it.concurrent.each(idRoutes.map(({ route, name, rule }) => [`${route.method} ${route.path}`, route, name, rule] as const))(
    '%s: a well-formed id that names nothing is still 404',
    async (_label, route, name, rule) => {
      const response = await gateway.fetch(route.path.replace(`{${name}}`, rule.wellFormed), { method: route.method });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(rule.notFound);
    },
  );

  it('bounds ids sent in bodies too: previous_response_id and file_id', async () => {
    await expectRefusal(await gateway.post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi', previous_response_id: OVERSIZED('resp_') }), {
      status: 400,
      code: 'invalid_previous_response_id',
      param: 'previous_response_id',
    });
    await expectRefusal(await gateway.post('/v1/audio/transcriptions', { model: 'whisper-1', file_id: OVERSIZED('upl_') }), { status: 400, code: 'invalid_file_id', param: 'file_id' });
  });
});

/** A JSON text nested `depth` levels deep, built as text: building it as an object would overflow the test's own stack. */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;

const JSON_POST_ROUTES = ROUTES.filter((route) => route.method === 'POST' && !route.path.includes('{')).map((route) => route.path);

describe('a deeply nested body is a 400, never a stack overflow', () => {
  it.concurrent.each(JSON_POST_ROUTES.flatMap((path) => [10_000, 3_000, 65].map((depth) => [path, depth] as const)))('%s nested %i deep', async (path, depth) => {
    await expectRefusal(await raw(path, `{"model":"gpt-4o-mini","metadata":${nested(depth)}}`, gateway.apiKey), { status: 400, code: 'json_too_deep' });
  });

  it('reads brackets inside strings as text, not as nesting', async () => {
    const response = await gateway.post('/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: '['.repeat(5_000) }] });
    expect(response.status).toBe(200);
  });
});

const VIDEO_RESPONSE = { model: 'sora-2', input: 'A paper boat', modalities: ['video'] };
const METADATA_ROUTES: readonly (readonly [string, string, Record<string, unknown>])[] = [
  ['chat completions', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }],
  ['responses', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi' }],
  ['video responses', '/v1/responses', VIDEO_RESPONSE],
  ['image responses', '/v1/responses', { model: 'dall-e-3', input: 'a cat', modalities: ['image'] }],
  ['video generations', '/v1/videos/generations', { model: 'sora-2', prompt: 'A paper boat' }],
  ['external chat completions', '/external/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }],
];

const pairs = (count: number, key = (i: number) => `k${i}`, value = (i: number) => `v${i}`): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [key(i), value(i)]));

const BAD_METADATA: readonly (readonly [string, unknown])[] = [
  ['17 pairs', pairs(17)],
  ['a key of 65 characters', { ['k'.repeat(65)]: 'v' }],
  ['a value of 513 characters', { k: 'v'.repeat(513) }],
  ['a number value', { k: 1 }],
  ['a nested object value', { k: { deeper: { still: 'x' } } }],
  ['an array', ['k', 'v']],
  ['a string', 'k=v'],
];

describe("metadata follows OpenAI's rule on every route that takes it", () => {
  it.concurrent.each(METADATA_ROUTES.flatMap(([name, path, body]) => BAD_METADATA.map(([what, metadata]) => [`${name}: ${what}`, path, body, metadata] as const)))(
    '%s is 400 invalid_metadata',
    async (_label, path, body, metadata) => {
      await expectRefusal(await gateway.post(path, { ...body, metadata }), { status: 400, code: 'invalid_metadata', param: 'metadata' });
    },
  );

  it('takes 16 pairs at the limits and echoes them', async () => {
    const metadata = pairs(16, (i) => `${i}`.padStart(64, 'k'), () => 'v'.repeat(512));
    const response = await gateway.post('/v1/responses', { model: 'gpt-4o-mini', input: 'hi', metadata });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { metadata: unknown }).metadata).toEqual(metadata);
  });
});

type WrongType = readonly [field: string, value: unknown, code?: string];

const CHAT_BODY = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const WRONG_TYPES: readonly (readonly [route: string, path: string, base: Record<string, unknown>, cases: readonly WrongType[]])[] = [
  ['chat', '/v1/chat/completions', CHAT_BODY, [
    ['logit_bias', 'x'], ['logit_bias', { 50256: 'x' }], ['logit_bias', { 50256: 101 }], ['frequency_penalty', 'x'], ['presence_penalty', '1'],
    ['logprobs', 'yes'], ['top_logprobs', '3'], ['service_tier', 5], ['store', {}], ['prediction', 'x'], ['verbosity', 3], ['modalities', 'text'],
    ['prompt_cache_key', 7], ['safety_identifier', {}], ['functions', 'f'],
  ]],
  ['external chat', '/external/v1/chat/completions', CHAT_BODY, [['logit_bias', 'x'], ['store', {}]]],
  ['responses', '/v1/responses', { model: 'gpt-4o-mini', input: 'hi' }, [
    ['include', 5], ['include', ['x', 1]], ['background', 'yes'], ['truncation', 1], ['text', 'x'], ['text', { verbosity: 9 }],
    ['max_tool_calls', '3'], ['top_logprobs', 'x'], ['service_tier', []], ['prompt', 'x'], ['conversation', 5], ['stream_options', 'x'],
  ]],
  ['embeddings', '/v1/embeddings', { model: 'text-embedding-3-small', input: 'hi' }, [['dimensions', ''], ['dimensions', '256']]],
  ['image generations', '/v1/images/generations', { model: 'dall-e-3', prompt: 'a cat' }, [
    ['n', ''], ['n', '1'], ['stream', 'true'], ['partial_images', '1'], ['style', 3], ['user', 5], ['output_compression', '50'],
  ]],
  ['speech', '/v1/audio/speech', { model: 'tts-1', input: 'Hello.', voice: 'alloy' }, [['speed', ''], ['speed', '1.5']]],
  ['transcriptions (JSON)', '/v1/audio/transcriptions', { model: 'whisper-1', file_id: `upl_${'0'.repeat(32)}` }, [['stream', 'true'], ['temperature', ''], ['temperature', '0.2']]],
  ['image responses', '/v1/responses', { model: 'dall-e-3', input: 'a cat', modalities: ['image'] }, [['n', ''], ['n', '1']]],
  ['speech responses', '/v1/responses', { model: 'tts-1', input: 'Hello.', modalities: ['audio'], voice: 'alloy' }, [['speed', ''], ['speed', '1.5']]],
];

describe('known fields have strict types on every route', () => {
  it.concurrent.each(WRONG_TYPES.flatMap(([route, path, base, cases]) => cases.map(([field, value, code]) => [`${route}: ${field} = ${JSON.stringify(value)}`, path, base, field, value, code] as const)))(
    '%s is 400',
    async (_label, path, base, field, value, code) => {
      await expectRefusal(await gateway.post(path, { ...base, [field]: value }), { status: 400, code: code ?? 'invalid_parameter', param: field });
    },
  );

  it('still reads numbers and booleans from the text of multipart fields, where everything is text', async () => {
    const form = multipart({ model: 'whisper-1', temperature: '0.2', stream: 'false', language: 'en' }, [{ name: 'file', data: wavBytes(1), filename: 'a.wav', type: 'audio/wav' }]);
    expect((await gateway.fetch('/v1/audio/transcriptions', { method: 'POST', body: form })).status).toBe(200);
  });

  it('passes fields OpenAI does not define through to the provider, which judges them', async () => {
    // The OpenAI simulator refuses arguments it does not know, as OpenAI does: its refusal proves the field reached it.
    const response = await gateway.post('/v1/chat/completions', { ...CHAT_BODY, top_k: 40 });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect([response.status, body.error.code]).toEqual([400, 'upstream_bad_request']);
    expect(body.error.message).toContain('top_k');
  });
});
