import { getCatalog, getModel, openAIModelFields } from '../catalog/index.ts';

/** The OpenAI model object: external clients know only `{id, object, created, owned_by}`. */
export const toOpenAIModel = openAIModelFields;

/**
 * One row per public id over the whole catalog (the preferred provider's), since an OpenAI client addresses
 * models by id alone. `/v1/models` lists the curated rows and `/v1/models/all` every row, one per provider
 * serving an id; this list counts the distinct ids of `/v1/models/all`.
 */
export const listOpenAIModels = () => {
  const seen = new Set<string>();
  const data = [];
  for (const { row } of getCatalog().entries) {
    if (seen.has(row.modelId)) continue;
    seen.add(row.modelId);
    data.push(toOpenAIModel(row));
  }
  return { object: 'list' as const, data };
};

export const getOpenAIModel = (id: string) => toOpenAIModel(getModel(id));
