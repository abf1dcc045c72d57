import { getCatalog, getModel } from '../catalog/index.ts';
import type { ModelRow } from '../catalog/index.ts';

/** The OpenAI model object: external clients know only `{id, object, created, owned_by}`. */
export const toOpenAIModel = (row: ModelRow) => ({
  id: row.modelId,
  object: 'model' as const,
  created: row.createdAt ? Math.floor(Date.parse(row.createdAt) / 1000) || 0 : 0,
  owned_by: row.ownedBy || row.provider,
});

/** One row per public id (the preferred provider's), since an OpenAI client addresses models by id alone. */
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
