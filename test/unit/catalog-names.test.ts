/**
 * Model names as people type them: a catalog id always wins (slash ids included); otherwise `provider/model`,
 * by provider id or a common alias, names that provider's row — in the catalog's one lookup, so on every route.
 * A name that matches nothing is a 404 that suggests the closest ids.
 */
import { describe, expect, it } from 'vitest';
import { closestIds, getCatalog, getModel, resolveModel, splitProviderPrefix } from '../../shared/catalog/index.ts';
import { failure } from '../support/catalog.ts';

describe('provider/model names', () => {
  it.each([
    ['openai/gpt-4o-mini', 'openai', 'gpt-4o-mini'],
    ['azure/gpt-4o', 'azure', 'gpt-4o'],
    ['google/gemini-2.5-flash', 'gemini', 'gemini-2.5-flash'],
    ['gemini/gemini-2.5-flash', 'gemini', 'gemini-2.5-flash'],
    ['vertex/gemini-2.5-flash', 'vertex', 'gemini-2.5-flash'],
    ['vertex_ai/gemini-2.5-flash', 'vertex', 'gemini-2.5-flash'],
    ['fireworks/accounts/fireworks/models/kimi-k2-instruct', 'fireworks', 'accounts/fireworks/models/kimi-k2-instruct'],
    ['fireworks/kimi-k2-instruct', 'fireworks', 'accounts/fireworks/models/kimi-k2-instruct'],
    ['OpenAI/GPT-4o-mini', 'openai', 'gpt-4o-mini'],
  ])('%s resolves to %s %s', (name, provider, modelId) => {
    expect(resolveModel(name, undefined, 'text-generation')).toMatchObject({ provider, modelId });
  });

  it('lets an id the catalog has win over reading its first segment as a provider', () => {
    const slashIds = getCatalog().entries.filter((entry) => entry.row.modelId.includes('/')).map((entry) => entry.row);
    expect(slashIds.length).toBeGreaterThan(0);
    for (const row of slashIds) expect(getModel(row.modelId, row.provider)).toMatchObject({ modelId: row.modelId, provider: row.provider });
    expect(getModel('google/gemma-3-27b-it').modelId).toBe('google/gemma-3-27b-it');
  });

  it('agrees with a provider field that says the same, and refuses one that does not', () => {
    expect(resolveModel('azure/gpt-4o', 'azure', 'text-generation').provider).toBe('azure');
    expect(failure(() => resolveModel('azure/gpt-4o', 'openai', 'text-generation'))).toMatchObject({ status: 400, code: 'provider_conflict', param: 'provider' });
  });

  it('answers a provider that does not serve the model as before: 404 naming who does', () => {
    expect(failure(() => resolveModel('deepgram/gpt-4o-mini', undefined, 'text-generation'))).toMatchObject({ status: 404, code: 'model_not_found' });
    expect(failure(() => getModel('gpt-4o-mini', 'deepgram'))).toMatchObject({ status: 404, message: expect.stringContaining('available from: openai') });
  });

  it('reads only known prefixes as providers', () => {
    expect(splitProviderPrefix('anthropic/claude')).toBeUndefined();
    expect(splitProviderPrefix('openai/')).toBeUndefined();
    expect(splitProviderPrefix('/gpt-4o')).toBeUndefined();
    expect(splitProviderPrefix('hf/Qwen/Qwen3-Embedding-8B')).toEqual({ provider: 'hugging face', candidates: ['Qwen/Qwen3-Embedding-8B'] });
  });
});

describe('model_not_found suggestions', () => {
  it('names the closest ids for a typo, a wrong version and an unknown provider prefix', () => {
    expect(failure(() => getModel('gpt-4o-mni')).message).toMatch(/Did you mean: gpt-4o-mini/);
    expect(failure(() => getModel('gemini-2.5-flsh')).message).toMatch(/Did you mean: .*gemini-2\.5-flash/);
    expect(failure(() => getModel('anthropic/gpt-4o')).message).toMatch(/Did you mean: gpt-4o\b/);
  });

  it('points at the model list when nothing is close', () => {
    expect(failure(() => getModel('zzzzzzzzzzzzzzzz')).message).toBe("The model 'zzzzzzzzzzzzzzzz' does not exist. GET /v1/models lists the models.");
  });

  it('ranks by distance and keeps at most three', () => {
    expect(closestIds('gpt-4o-mni', ['gpt-4o-mini', 'gpt-4o', 'o4-mini', 'gpt-4.1-mini', 'whisper-1'])).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini']);
    expect(closestIds('x', ['gpt-4o']).length).toBe(0);
  });
});
