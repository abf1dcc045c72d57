/**
 * Model names as people type them. Routers (LiteLLM, OpenRouter, Portkey) taught clients to write
 * `provider/model`; the catalog also has ids that contain a slash (`google/gemma-3-27b-it`,
 * `accounts/fireworks/models/…`). So an id the catalog knows always wins, and only then is a leading segment
 * read as a provider (by its id or a common alias). A name that matches nothing gets the closest ids.
 */
import type { ModelProvider } from './enums.ts';

/** Prefixes people use for each provider, beside the provider ids themselves. */
const PROVIDER_ALIASES: Readonly<Record<string, ModelProvider>> = {
  openai: 'openai',
  azure: 'azure',
  'azure-openai': 'azure',
  azure_openai: 'azure',
  google: 'gemini',
  gemini: 'gemini',
  'google-ai-studio': 'gemini',
  vertex: 'vertex',
  vertex_ai: 'vertex',
  'vertex-ai': 'vertex',
  'google-vertex': 'vertex',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  'fireworks-ai': 'fireworks',
  alibaba: 'alibaba',
  dashscope: 'alibaba',
  qwen: 'alibaba',
  cloudflare: 'cloudflare',
  'workers-ai': 'cloudflare',
  'cloudflare-workers-ai': 'cloudflare',
  huggingface: 'hugging face',
  'hugging-face': 'hugging face',
  'hugging face': 'hugging face',
  hf: 'hugging face',
  aiml: 'aiml',
  aimlapi: 'aiml',
  asicloud: 'asicloud',
  deepgram: 'deepgram',
  elevenlabs: 'elevenlabs',
  cartesia: 'cartesia',
  roboflow: 'roboflow',
};

export interface ProviderQualifiedName {
  readonly provider: ModelProvider;
  /** The candidate ids on that provider, in the order to try them. */
  readonly candidates: readonly string[];
}

/** `provider/model` split at its first slash, when the prefix names a provider; undefined otherwise. */
export const splitProviderPrefix = (name: string): ProviderQualifiedName | undefined => {
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return undefined;
  const provider = PROVIDER_ALIASES[name.slice(0, slash).toLowerCase()];
  if (!provider) return undefined;
  const model = name.slice(slash + 1);
  // Fireworks ids are paths; `fireworks/kimi-k2-instruct` is how people shorten them.
  const candidates = provider === 'fireworks' && !model.startsWith('accounts/') ? [model, `accounts/fireworks/models/${model}`] : [model];
  return { provider, candidates };
};

/** Levenshtein distance, bounded: beyond `max` the exact value does not matter. */
const distance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
};

/** Up to `limit` known ids closest to `name` (by edit distance, or sharing its last path segment), nearest first. */
export const closestIds = (name: string, ids: Iterable<string>, limit = 3): string[] => {
  const wanted = name.toLowerCase();
  const tail = wanted.slice(wanted.lastIndexOf('/') + 1);
  const max = Math.max(2, Math.floor(tail.length / 3));
  const scored: { id: string; score: number }[] = [];
  for (const id of new Set(ids)) {
    const lower = id.toLowerCase();
    const idTail = lower.slice(lower.lastIndexOf('/') + 1);
    const score = Math.min(distance(wanted, lower, max), distance(tail, idTail, max), tail.length >= 4 && idTail.length >= 4 && (idTail.includes(tail) || tail.includes(idTail)) ? max : max + 1);
    if (score <= max) scored.push({ id, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || a.id.length - b.id.length || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map((entry) => entry.id);
};
