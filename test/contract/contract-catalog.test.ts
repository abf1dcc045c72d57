import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';

let rt: E2eRuntime;
beforeAll(async () => {
  rt = await sharedE2eRuntime();
});
afterAll(() => rt?.close());

// Bodies are checked against the contract first, so the tests read them loosely typed.
type Json = any;
const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await fetch(rt.url + path, { headers });
  return { res, body: (await res.json()) as Json };
};
const post = async (path: string, body: string) => {
  const res = await fetch(rt.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { res, body: (await res.json()) as Json };
};

describe('every catalog and health answer matches the OpenAPI document', () => {
  it.each([
    ['/health', '/health'],
    ['/openapi.json', '/openapi.json'],
    ['/v1/models', '/v1/models'],
    ['/v1/models?provider=gemini&modality=text&limit=3', '/v1/models'],
    ['/v1/models/all', '/v1/models/all'],
    ['/v1/models/gpt-4o', '/v1/models/{model}'],
    ['/v1/models/gpt-4o?provider=azure', '/v1/models/{model}'],
    ['/v1/models/accounts/fireworks/models/gpt-oss-120b', '/v1/models/{model}'],
    ['/v1/models/gpt-4o/params', '/v1/models/{model}/params'],
    ['/v1/modalities', '/v1/modalities'],
    ['/v1/modalities/image', '/v1/modalities/{modality}'],
    ['/v1/modalities/audio/operations', '/v1/modalities/{modality}/operations'],
    ['/v1/modalities/image/operations/image-generation/models?limit=2', '/v1/modalities/{modality}/operations/{operation}/models'],
  ])('GET %s', async (url, template) => {
    const { res, body } = await get(url);
    expect(res.status).toBe(200);
    expectMatchesContract(template, 'GET', 200, body);
  });

  it('POST /v1/models/search returns real image models with real prices', async () => {
    const { res, body } = await post('/v1/models/search', JSON.stringify({ modality: 'image', limit: 5 }));
    expect(res.status).toBe(200);
    expectMatchesContract('/v1/models/search', 'POST', 200, body);
    expect(body.data.length).toBe(5);
    for (const model of body.data) {
      const units = model.operations.flatMap((o: { pricingUnits: { entries: Record<string, number> }[] }) => o.pricingUnits);
      expect(units.some((u: { entries: Record<string, number> }) => Object.values(u.entries).some((price) => price > 0))).toBe(true);
    }
  });

  it('a cursor walk over a search returns every match exactly once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let total = 0;
    do {
      const { body } = await post('/v1/models/search', JSON.stringify({ modality: 'text', limit: 7, cursor }));
      total = body.total;
      seen.push(...body.data.map((m: { modelId: string; provider: string }) => `${m.provider}/${m.modelId}`));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
  });
});

describe('bad input gets its own OpenAI-shaped error, never a 500', () => {
  it.each([
    ['GET', '/v1/models?provider=nope', undefined, 400, 'invalid_enum_value'],
    ['GET', '/v1/models?limit=0', undefined, 400, 'invalid_limit'],
    ['GET', '/v1/models?limit=201', undefined, 400, 'invalid_limit'],
    ['POST', '/v1/models/search', '{"q":', 400, 'invalid_json'],
    ['POST', '/v1/models/search', JSON.stringify({ q: 'x'.repeat(70 * 1024) }), 413, 'payload_too_large'],
    ['POST', '/v1/models/search', JSON.stringify({ cursor: 'garbage' }), 400, 'invalid_cursor'],
    ['POST', '/v1/models/search', JSON.stringify({ modality: 'smell' }), 400, 'invalid_enum_value'],
    ['GET', '/v1/models/no-such-model', undefined, 404, 'model_not_found'],
    ['GET', '/v1/modalities/smell', undefined, 400, 'invalid_enum_value'],
    ['GET', '/v1/nowhere', undefined, 404, 'route_not_found'],
    ['DELETE', '/v1/models', undefined, 405, 'method_not_allowed'],
  ])('%s %s → %i %s', async (method, path, body, status, code) => {
    const res = await fetch(rt.url + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} });
    const json = (await res.json()) as Json;
    expect(res.status).toBe(status);
    expect(json.error).toMatchObject({ code, type: expect.any(String), message: expect.any(String) });
  });

  it('a wrong method names the allowed ones', async () => {
    const res = await fetch(`${rt.url}/v1/models/search`, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('request ids', () => {
  it('echoes the client X-Request-Id', async () => {
    const { res } = await get('/health', { 'x-request-id': 'client-chosen-123' });
    expect(res.headers.get('x-request-id')).toBe('client-chosen-123');
  });

  it('mints one when the client sent none, on errors too', async () => {
    const ok = await fetch(`${rt.url}/health`);
    const missing = await fetch(`${rt.url}/v1/nowhere`);
    expect(ok.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
    expect(missing.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
    expect(ok.headers.get('x-request-id')).not.toBe(missing.headers.get('x-request-id'));
  });
});
