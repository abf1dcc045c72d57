/**
 * OpenAI's model object fields (`id`, `object`, `created`, `owned_by`). The external mirror serves only these;
 * the native catalog serves them beside the spec's fields (its `Model` allows extra properties), so the
 * official SDKs' `models.list()` / `models.retrieve()` find the `id` they read.
 */
import type { ModelRow } from './types.ts';

export interface OpenAIModelFields {
  readonly id: string;
  readonly object: 'model';
  /** Unix seconds of the model's release when the catalog knows it, else 0. */
  readonly created: number;
  readonly owned_by: string;
}

export const openAIModelFields = (row: ModelRow): OpenAIModelFields => ({
  id: row.modelId,
  object: 'model',
  created: row.createdAt ? Math.floor(Date.parse(row.createdAt) / 1000) || 0 : 0,
  owned_by: row.ownedBy || row.provider,
});

/** A row as the native catalog routes serve it: OpenAI's fields first, then the spec's (catalog.ts adds them on load). */
export const withOpenAIModelFields = <T extends ModelRow>(row: T): OpenAIModelFields & T => ({ ...openAIModelFields(row), ...row });
