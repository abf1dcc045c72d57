import type { ProviderId } from '../../layers/providers/types.ts';
import { resolveModel } from '../catalog/index.ts';
import type { ResolvedModel } from './services.ts';

/** The catalog decides which provider and wire model serve a public id for text generation. */
export const resolveTextModel = (model: string, provider?: string): ResolvedModel => {
  const row = resolveModel(model, provider, 'text-generation');
  return {
    publicId: row.modelId,
    provider: row.provider as ProviderId,
    wireModel: row.upstreamModelId,
    ...(row.maxOutputTokens ? { maxOutputTokens: row.maxOutputTokens } : {}),
    reasoning: row.capabilities.reasoning,
    row: row as unknown as Record<string, unknown>,
  };
};
