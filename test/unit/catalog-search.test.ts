import { describe, expect, it } from 'vitest';
import { getCatalog, loadCatalog, searchModels, type ModelRow } from '../../shared/catalog/index.ts';
import { failure, generatedCatalogFile, walk } from '../support/catalog.ts';
import { expectMatchesContract } from '../support/openapi.ts';

const everything = getCatalog().entries.map((entry) => entry.row);
const key = (row: ModelRow): string => `${row.provider}/${row.modelId}`;
const inputPrice = (row: ModelRow): number | undefined => row.operations.flatMap((operation) => operation.pricingUnits).find((unit) => unit.unitKey === 'tokens')?.entries['input'];

describe('searching the catalog', () => {
  it('answers in the shape the spec gives, with real image models and prices', () => {
    const result = searchModels({ modality: 'image', limit: 5 });
    expectMatchesContract('/v1/models/search', 'POST', 200, result);
    expect(result.data).toHaveLength(5);
    expect(result.total).toBeGreaterThan(5);
    expect(result.data.every((row) => row.type === 'image' && row.pricing.unit === 'usd_per_image')).toBe(true);
  });

  it('searches the full catalog, 50 rows a page by default', () => {
    const result = searchModels({});
    expect(result.total).toBe(everything.length);
    expect(result.data).toEqual(everything.slice(0, 50));
  });

  it('matches every term of q, ignoring case, against id, name, family, description and provider', () => {
    const byName = searchModels({ q: 'GPT-4O mini', limit: 200 }).data;
    expect(byName.length).toBeGreaterThan(0);
    expect(byName.every((row) => `${row.modelId} ${row.name} ${row.family} ${row.description} ${row.provider}`.toLowerCase().includes('mini'))).toBe(true);
    expect(searchModels({ q: 'hugging', limit: 200 }).data.every((row) => row.provider === 'hugging face')).toBe(true);
    expect(searchModels({ q: 'black-forest-labs' }).data.map(key)).toEqual(expect.arrayContaining(['hugging face/black-forest-labs/FLUX.1-schnell']));
    expect(searchModels({ q: 'no such model anywhere' })).toMatchObject({ data: [], total: 0, next_cursor: null });
  });

  it('filters by provider, modality and operation together', () => {
    const rows = searchModels({ provider: 'openai', modality: 'audio', operation: 'transcription', limit: 200 }).data;
    expect(rows.map((row) => row.modelId).sort()).toEqual(['gpt-4o-mini-transcribe', 'gpt-4o-transcribe', 'whisper-1']);
  });

  it('keeps models whose input price per 1M tokens is at most priceMaxPerMTok', () => {
    const rows = searchModels({ priceMaxPerMTok: 0.5, limit: 200 }).data;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => (inputPrice(row) ?? Infinity) <= 0.5)).toBe(true);
    expect(rows.length).toBe(everything.filter((row) => (inputPrice(row) ?? Infinity) <= 0.5).length);
  });

  it('keeps models with at least contextWindowMin tokens of context', () => {
    const rows = searchModels({ contextWindowMin: 1_000_000, limit: 200 }).data;
    expect(rows.map((row) => row.modelId)).toEqual(expect.arrayContaining(['gemini-2.5-pro', 'gpt-4.1']));
    expect(rows.every((row) => (row.contextWindow ?? 0) >= 1_000_000)).toBe(true);
  });

  it('filters on streaming, for the asked operation when there is one', () => {
    const streamed = searchModels({ operation: 'speech', streaming: true, limit: 200 }).data;
    const notStreamed = searchModels({ operation: 'speech', streaming: false, limit: 200 }).data;
    expect(streamed.map((row) => row.modelId)).toEqual(expect.arrayContaining(['tts-1', 'aura-2']));
    expect(notStreamed.map((row) => row.modelId)).toEqual(expect.arrayContaining(['@cf/myshell-ai/melotts']));
    expect(streamed.length + notStreamed.length).toBe(searchModels({ operation: 'speech', limit: 200 }).total);
  });
});

describe('walking the cursor', () => {
  const queries = [{}, { modality: 'image' }, { q: 'gemini' }, { provider: 'cloudflare', streaming: true }] as const;

  it.each(queries)('returns every match of %j exactly once, in catalog order', (query) => {
    const unpaged = searchModels({ ...query, limit: 200 });
    const { rows, pages } = walk((cursor) => searchModels({ ...query, limit: 7, cursor }));
    expect(rows.map(key)).toEqual(unpaged.data.map(key));
    expect(new Set(rows.map(key)).size).toBe(rows.length);
    expect(pages.every((page) => page.total === unpaged.total)).toBe(true);
    expect(pages.at(-1)?.next_cursor).toBeNull();
  });

  it('accepts a different page size on the next page', () => {
    const first = searchModels({ modality: 'text', limit: 3 });
    const second = searchModels({ modality: 'text', limit: 10, cursor: first.next_cursor });
    expect([...first.data, ...second.data].map(key)).toEqual(searchModels({ modality: 'text', limit: 13 }).data.map(key));
  });

  it('treats a null cursor as the first page', () => {
    expect(searchModels({ cursor: null, limit: 2 })).toEqual(searchModels({ limit: 2 }));
  });

  it('refuses garbage, a cursor from another query and one from another catalog build', () => {
    const cursor = searchModels({ modality: 'text', limit: 2 }).next_cursor!;
    const stale = loadCatalog({ ...generatedCatalogFile(), version: 'an-older-build' });
    for (const call of [
      () => searchModels({ cursor: 'not a cursor' }),
      () => searchModels({ cursor: Buffer.from('{"s":1}').toString('base64url') }),
      () => searchModels({ cursor: Buffer.from('[]').toString('base64url') }),
      () => searchModels({ modality: 'image', cursor }),
      () => searchModels({ modality: 'text', cursor }, stale),
    ]) {
      expect(failure(call)).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'invalid_cursor', param: 'cursor' });
    }
  });
});

describe('search request validation', () => {
  it.each([
    [{ modality: 'smell' }, 'invalid_enum_value', 'modality'],
    [{ provider: 'anthropic' }, 'invalid_enum_value', 'provider'],
    [{ operation: 'dance' }, 'invalid_enum_value', 'operation'],
    [{ operation: 'Image Generation' }, 'invalid_enum_value', 'operation'],
    [{ limit: 0 }, 'invalid_limit', 'limit'],
    [{ limit: 201 }, 'invalid_limit', 'limit'],
    [{ limit: 2.5 }, 'invalid_limit', 'limit'],
    [{ limit: '10' }, 'invalid_limit', 'limit'],
    [{ priceMaxPerMTok: 'cheap' }, 'invalid_number', 'priceMaxPerMTok'],
    [{ contextWindowMin: -1 }, 'invalid_number', 'contextWindowMin'],
    [{ streaming: 'yes' }, 'invalid_boolean', 'streaming'],
    [{ cursor: 42 }, 'invalid_cursor', 'cursor'],
    [{ q: 7 }, 'invalid_string', 'q'],
  ])('refuses %j with 400 %s', (body, code, param) => {
    expect(failure(() => searchModels(body))).toMatchObject({ status: 400, type: 'invalid_request_error', code, param });
  });

  it('names the allowed values of an enum', () => {
    expect(failure(() => searchModels({ modality: 'smell' })).message).toBe(
      `Invalid value "smell" for 'modality'. Expected one of: text, image, audio, video, embedding, realtime.`,
    );
  });

  it('refuses a body that is not a JSON object, and searches everything without one', () => {
    for (const body of [null, [], 'text', 3]) expect(failure(() => searchModels(body))).toMatchObject({ status: 400, code: 'invalid_request_body' });
    expect(searchModels(undefined).total).toBe(everything.length);
  });

  it('ignores fields the spec does not define', () => {
    expect(searchModels({ modality: 'video', sort: 'price' }).total).toBe(searchModels({ modality: 'video' }).total);
  });
});
