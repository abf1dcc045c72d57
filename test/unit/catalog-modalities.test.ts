import { describe, expect, it } from 'vitest';
import {
  CANONICAL_MODALITIES,
  OPERATIONS_BY_MODALITY,
  getModality,
  listModalities,
  listModels,
  listOperationModels,
  listOperations,
  parseOperationModelsQuery,
  searchModels,
} from '../../shared/catalog/index.ts';
import { failure, walk } from '../support/catalog.ts';
import { expectMatchesContract } from '../support/openapi.ts';

const all = listModels({ all: true }).data;
const countWith = (test: (operation: (typeof all)[number]['operations'][number]) => boolean): number => all.filter((row) => row.operations.some(test)).length;

describe('the modality views', () => {
  it('list every canonical modality with its operations, in the shape the spec gives', () => {
    const modalities = listModalities();
    expectMatchesContract('/v1/modalities', 'GET', 200, modalities);
    expect(modalities.data.map((entry) => entry.modality)).toEqual([...CANONICAL_MODALITIES]);
    for (const entry of modalities.data) expect(entry.operations.map((operation) => operation.operation)).toEqual([...OPERATIONS_BY_MODALITY[entry.modality]]);
  });

  it('count models exactly as the full catalog does', () => {
    for (const entry of listModalities().data) {
      expect(entry.modelCount, entry.modality).toBe(countWith((operation) => operation.modality === entry.modality));
      expect(entry.modelCount, entry.modality).toBe(searchModels({ modality: entry.modality, limit: 1 }).total);
      for (const operation of entry.operations) expect(operation.modelCount, operation.operation).toBe(countWith((candidate) => candidate.operation === operation.operation));
    }
    expect(getModality('realtime')).toMatchObject({ modelCount: 0, operations: [], pricingUnits: [] });
  });

  it('describe the units each operation is billed in, without prices', () => {
    const image = getModality('image');
    expectMatchesContract('/v1/modalities/{modality}', 'GET', 200, image);
    expect(image.pricingUnits.map((unit) => unit.unitKey)).toEqual(['images', 'requests']);
    const generation = image.operations.find((operation) => operation.operation === 'image-generation')!;
    expect(generation.pricingUnits).toEqual([expect.objectContaining({ unitKey: 'images', unit: 'usd_per_image', entries: {} })]);
    expect(generation.pricingUnits[0]!.valueKeys).toEqual(expect.arrayContaining(['default', 'hd:1024x1792']));
    expect(image.operations.find((operation) => operation.operation === 'image-edit')!.sourceTypes).toEqual(expect.arrayContaining(['image', 'text']));
  });

  it('list the operations of one modality', () => {
    const audio = listOperations('audio');
    expectMatchesContract('/v1/modalities/{modality}/operations', 'GET', 200, audio);
    expect(audio.data.map((operation) => operation.operation)).toEqual(['speech', 'transcription']);
  });

  it('refuse a modality the spec does not name with 400 invalid_enum_value', () => {
    for (const call of [() => getModality('smell'), () => listOperations('Text'), () => listOperationModels('sound', 'speech')]) {
      expect(failure(call)).toMatchObject({ status: 400, code: 'invalid_enum_value', param: 'modality' });
    }
  });
});

describe('models of one operation', () => {
  it('lists the models offering it, each showing only that operation', () => {
    const result = listOperationModels('image', 'image-edit', { limit: 200 });
    expectMatchesContract('/v1/modalities/{modality}/operations/{operation}/models', 'GET', 200, result);
    expect(result.total).toBe(countWith((operation) => operation.operation === 'image-edit'));
    expect(result.data.every((row) => row.operations.length === 1 && row.operations[0]!.operation === 'image-edit')).toBe(true);
    expect(result.data.map((row) => `${row.provider}/${row.modelId}`)).toEqual(expect.arrayContaining(['openai/gpt-image-1', 'azure/gpt-image-1']));
  });

  it('answers 404 operation_not_found for an operation the modality does not have', () => {
    for (const call of [() => listOperationModels('image', 'speech'), () => listOperationModels('text', 'dance'), () => listOperationModels('realtime', 'speech')]) {
      expect(failure(call)).toMatchObject({ status: 404, type: 'not_found_error', code: 'operation_not_found', param: 'operation' });
    }
  });

  it('filters by q, provider and streaming', () => {
    expect(listOperationModels('audio', 'speech', { provider: 'elevenlabs' }).data.map((row) => row.modelId).sort()).toEqual(['eleven_flash_v2_5', 'eleven_multilingual_v2']);
    expect(listOperationModels('audio', 'transcription', { q: 'WHISPER' }).data.every((row) => /whisper/i.test(`${row.modelId} ${row.name} ${row.description}`))).toBe(true);
    expect(listOperationModels('audio', 'transcription', { streaming: true }).data.map((row) => row.modelId)).toEqual(
      expect.arrayContaining(['gpt-4o-transcribe']),
    );
    expect(listOperationModels('audio', 'transcription', { streaming: true }).data.every((row) => row.operations[0]!.streamable)).toBe(true);
  });

  it('walks every match exactly once through the cursor', () => {
    const unpaged = listOperationModels('text', 'text-generation', { limit: 200 });
    const { rows } = walk((cursor) => listOperationModels('text', 'text-generation', { limit: 9, ...(cursor ? { cursor } : {}) }));
    expect(rows.map((row) => `${row.provider}/${row.modelId}`)).toEqual(unpaged.data.map((row) => `${row.provider}/${row.modelId}`));
  });

  it('refuses a cursor issued for another operation or for a search', () => {
    const speech = listOperationModels('audio', 'speech', { limit: 1 }).next_cursor!;
    const search = searchModels({ operation: 'transcription', limit: 1 }).next_cursor!;
    for (const cursor of [speech, search]) {
      expect(failure(() => listOperationModels('audio', 'transcription', { cursor }))).toMatchObject({ status: 400, code: 'invalid_cursor' });
    }
  });

  it('reads its options from query strings', () => {
    expect(parseOperationModelsQuery({ q: 'flux', provider: 'fireworks', streaming: 'false', limit: '20', cursor: 'abc' })).toEqual({
      q: 'flux',
      provider: 'fireworks',
      streaming: false,
      limit: 20,
      cursor: 'abc',
    });
    expect(failure(() => parseOperationModelsQuery({ streaming: 'yes' }))).toMatchObject({ status: 400, code: 'invalid_boolean', param: 'streaming' });
    expect(failure(() => parseOperationModelsQuery({ limit: '500' }))).toMatchObject({ status: 400, code: 'invalid_limit' });
  });
});
