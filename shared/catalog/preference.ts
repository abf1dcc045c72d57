/**
 * Which provider serves a model ID when several do and the caller names none. The model maker's own API
 * comes first (openai before azure, gemini before vertex); hosts that serve open models directly next;
 * resellers after them; the enterprise clouds last, because they need per-tenant deployment settings
 * (Azure deployment names, Vertex project and location) that a default route cannot assume.
 */
import { CANONICAL_MODALITIES, type CanonicalModality, type ModelProvider } from './enums.ts';

export const PROVIDER_PREFERENCE: readonly ModelProvider[] = [
  'openai',
  'gemini',
  'alibaba',
  'fireworks',
  'cloudflare',
  'hugging face',
  'deepgram',
  'elevenlabs',
  'cartesia',
  'roboflow',
  'aiml',
  'asicloud',
  'azure',
  'vertex',
];

export const providerRank = (provider: ModelProvider): number => PROVIDER_PREFERENCE.indexOf(provider);

export const modalityRank = (modality: CanonicalModality): number => CANONICAL_MODALITIES.indexOf(modality);
