/**
 * An OpenAI-shaped `/embeddings` answer for the compatible providers that serve one (Fireworks, DashScope's
 * compatible mode, Hugging Face partners): each provider passes its own models and limits.
 */
import { invalidRequest, type SimError } from '../openai-compatible/sim-error.ts';
import { countTokens, embeddingFor } from './content.ts';
import { throwSimError } from './compatible-route.ts';

export interface EmbeddingModelRule {
  readonly dimensions: number;
  /** Accepts `dimensions` below its native size (Matryoshka). */
  readonly shortenable: boolean;
  readonly maxInputs: number;
}

export const openAIEmbeddings = (
  body: Record<string, unknown>,
  models: Readonly<Record<string, EmbeddingModelRule>>,
  unknownModel: (model: string) => SimError,
): Record<string, unknown> => {
  const model = typeof body['model'] === 'string' ? body['model'] : throwSimError(invalidRequest('model is required', 'model'));
  const rule = models[model] ?? throwSimError(unknownModel(model));
  const raw = body['input'];
  const inputs = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (inputs.length === 0 || inputs.some((input) => typeof input !== 'string' || input === '')) {
    throwSimError(invalidRequest('input must be a non-empty string or an array of non-empty strings', 'input'));
  }
  if (inputs.length > rule.maxInputs) throwSimError(invalidRequest(`input can hold at most ${rule.maxInputs} items for ${model}`, 'input'));
  const requested = body['dimensions'];
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > rule.dimensions || (!rule.shortenable && requested !== rule.dimensions))) {
    throwSimError(invalidRequest(`dimensions must be an integer from 1 to ${rule.dimensions}${rule.shortenable ? '' : ` (only ${rule.dimensions} for ${model})`}`, 'dimensions'));
  }
  const dimensions = typeof requested === 'number' ? requested : rule.dimensions;
  const texts = inputs as string[];
  const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    object: 'list',
    model,
    data: texts.map((text, index) => ({ object: 'embedding', index, embedding: embeddingFor(text, dimensions) })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
};
