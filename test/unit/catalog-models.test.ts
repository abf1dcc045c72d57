import { describe, expect, it } from 'vitest';
import { getModel, getModelParams, listModels, modelSupports, parseListModelsQuery, parseProviderQuery, resolveModel } from '../../shared/catalog/index.ts';
import { failure } from '../support/catalog.ts';
import { expectMatchesContract } from '../support/openapi.ts';

describe('listing models', () => {
  it('filters the curated list by provider and modality, and caps it with limit', () => {
    const audio = listModels({ provider: 'openai', modality: 'audio' }).data;
    expect(audio.length).toBeGreaterThan(1);
    expect(audio.every((row) => row.provider === 'openai' && row.operations.some((operation) => operation.modality === 'audio'))).toBe(true);
    expect(listModels({ limit: 3 }).data).toEqual(listModels().data.slice(0, 3));
  });

  it('refuses an unknown provider or modality and a limit outside 1–200', () => {
    expect(failure(() => listModels({ provider: 'anthropic' as never }))).toMatchObject({ status: 400, code: 'invalid_enum_value', param: 'provider' });
    expect(failure(() => listModels({ modality: 'smell' as never }))).toMatchObject({ status: 400, code: 'invalid_enum_value', param: 'modality' });
    expect(failure(() => listModels({ limit: 0 }))).toMatchObject({ status: 400, code: 'invalid_limit', param: 'limit' });
    expect(failure(() => listModels({ limit: 201 }))).toMatchObject({ status: 400, code: 'invalid_limit' });
  });

  it('reads its options from query strings', () => {
    expect(parseListModelsQuery({ provider: 'gemini', modality: 'text', limit: '5' })).toEqual({ provider: 'gemini', modality: 'text', limit: 5 });
    expect(parseListModelsQuery(null)).toEqual({});
    expect(parseListModelsQuery({ provider: '', limit: '' })).toEqual({});
    expect(failure(() => parseListModelsQuery({ limit: 'ten' }))).toMatchObject({ status: 400, code: 'invalid_limit' });
    expect(failure(() => parseListModelsQuery({ limit: '2.5' }))).toMatchObject({ status: 400, code: 'invalid_limit' });
    expect(failure(() => parseProviderQuery({ provider: 'OpenAI' }))).toMatchObject({ status: 400, code: 'invalid_enum_value' });
  });
});

describe('one model', () => {
  it('resolves slash-containing ids', () => {
    for (const id of ['accounts/fireworks/models/gpt-oss-120b', '@cf/meta/llama-3.3-70b-instruct-fp8-fast', 'deepseek-ai/DeepSeek-R1-0528', 'black-forest-labs/FLUX.1-schnell']) {
      expect(getModel(id).modelId).toBe(id);
    }
    expectMatchesContract('/v1/models/{model}', 'GET', 200, getModel('accounts/fireworks/models/gpt-oss-120b'));
  });

  it('matches ids case-insensitively when there is no exact match', () => {
    expect(getModel('DeepSeek-AI/deepseek-r1-0528').modelId).toBe('deepseek-ai/DeepSeek-R1-0528');
  });

  it('answers 404 model_not_found for an unknown id', () => {
    const error = failure(() => getModel('gpt-9'));
    expect(error).toMatchObject({ status: 404, type: 'not_found_error', code: 'model_not_found' });
    expectMatchesContract('/v1/models/{model}', 'GET', 404, { error: { message: error.message, type: error.type, code: error.code } });
  });

  it('serves the preferred provider of a shared id, and the named one on request', () => {
    expect(getModel('gpt-4o')).toMatchObject({ provider: 'openai', availableFrom: ['openai', 'aiml', 'azure'] });
    expect(getModel('gpt-4o', 'azure').provider).toBe('azure');
    expect(getModel('gpt-4o', 'aiml').provider).toBe('aiml');
    expect(getModel('gemini-2.5-pro').provider).toBe('gemini');
    expect(getModel('gemini-2.5-pro', 'vertex').provider).toBe('vertex');
  });

  it('says which providers serve a model when the named one does not', () => {
    expect(failure(() => getModel('gpt-4o', 'cloudflare'))).toMatchObject({
      status: 404,
      code: 'model_not_found',
      message: "The model 'gpt-4o' is not served by provider 'cloudflare'; it is available from: openai, aiml, azure.",
    });
  });
});

describe('resolving a model for inference', () => {
  it('picks the preferred provider, or the one the caller names', () => {
    expect(resolveModel('gpt-4o', undefined, 'text-generation')).toMatchObject({ provider: 'openai', upstreamModelId: 'gpt-4o' });
    expect(resolveModel('gpt-4o', 'azure', 'text-generation').provider).toBe('azure');
    expect(resolveModel('@cf/openai/whisper', undefined, 'transcription').upstreamModelId).toBe('@cf/openai/whisper');
    expect(resolveModel('rfdetr-small').upstreamModelId).toBe('coco/39');
  });

  it('skips providers whose row lacks the operation', () => {
    // gpt-image-1 is served by openai and azure; both edit images, so the preferred one wins.
    expect(resolveModel('gpt-image-1', undefined, 'image-edit').provider).toBe('openai');
    expect(resolveModel('dall-e-3', undefined, 'image-generation').provider).toBe('openai');
  });

  it('refuses an operation the model does not offer with a 400', () => {
    expect(failure(() => resolveModel('whisper-1', undefined, 'text-generation'))).toMatchObject({
      status: 400,
      code: 'unsupported_operation',
      param: 'model',
    });
  });

  it('requires a model', () => {
    expect(failure(() => resolveModel(''))).toMatchObject({ status: 400, code: 'missing_model' });
  });

  it('tells whether a row offers an operation', () => {
    expect(modelSupports(getModel('gpt-image-1'), 'image-edit')).toBe(true);
    expect(modelSupports(getModel('dall-e-3'), 'image-edit')).toBe(false);
  });
});

describe('model parameters', () => {
  it('describes the generation parameters a text model accepts, with defaults', () => {
    const params = getModelParams('gpt-4o');
    expectMatchesContract('/v1/models/{model}/params', 'GET', 200, params);
    expect(params).toMatchObject({ modelId: 'gpt-4o', type: 'text', provider: 'openai' });
    expect(params.params['max_tokens']).toMatchObject({ type: 'integer', minimum: 1, maximum: 16_384 });
    expect(params.params['tools']).toBeDefined();
    expect(params.defaults).toMatchObject({ temperature: 1, top_p: 1, stream: false });
  });

  it('leaves out what a model cannot take', () => {
    // o-series models fix their temperature.
    expect(getModelParams('o3').params['temperature']).toBeUndefined();
    expect(getModelParams('o3').params['reasoning_effort']).toMatchObject({ enum: ['low', 'medium', 'high'] });
  });

  it('offers exactly the image sizes and qualities that are priced', () => {
    const { params } = getModelParams('dall-e-3');
    expect(params['size']?.enum).toEqual(['1024x1024', '1024x1792', '1792x1024']);
    expect(params['quality']?.enum).toEqual(['standard', 'hd']);
  });

  it('adds model-specific parameters from the curated table', () => {
    expect(getModelParams('aura-2', 'deepgram').params['voice']).toMatchObject({ default: 'thalia' });
    expect(getModelParams('sora-2').params['resolution']).toMatchObject({ enum: ['720p'] });
  });
});
