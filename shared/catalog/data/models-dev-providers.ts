/**
 * How models.dev providers map onto the spec's providers, and which of their models are flagship rows in
 * the short `/v1/models` view. Providers models.dev carries but the spec does not name are left out.
 */
import type { ModelProvider } from '../enums.ts';
import { PRICING_PAGES } from './sources.ts';

export interface ModelsDevMapping {
  readonly provider: ModelProvider;
  readonly pricingSource: string;
  /** Whether chat models with tool calling also honour `response_format: json_schema` on this provider. */
  readonly structuredOutputsWithTools: boolean;
  /** models.dev ids shown in `/v1/models`. */
  readonly curated: readonly string[];
  /** Turns a models.dev id into the provider's wire id; `undefined` drops the model (its wire id is unknown). */
  readonly wireId?: (id: string) => string | undefined;
}

/** Workers AI wire ids carry the author namespace (`@cf/meta/...`), which models.dev omits. */
const CLOUDFLARE_NAMESPACES: readonly (readonly [RegExp, string])[] = [
  [/^llama-/, 'meta'],
  [/^gemma-/, 'google'],
  [/^(qwq|qwen)/, 'qwen'],
  [/^gpt-oss-/, 'openai'],
  [/^mistral-small-/, 'mistralai'],
  [/^mistral-7b-instruct-v0\.1$/, 'mistral'],
  [/^deepseek-r1-distill-/, 'deepseek-ai'],
];

const cloudflareWireId = (id: string): string | undefined => {
  const namespace = CLOUDFLARE_NAMESPACES.find(([pattern]) => pattern.test(id))?.[1];
  return namespace ? `@cf/${namespace}/${id}` : undefined;
};

export const MODELS_DEV_PROVIDERS: Readonly<Record<string, ModelsDevMapping>> = {
  openai: {
    provider: 'openai',
    pricingSource: PRICING_PAGES.openai,
    structuredOutputsWithTools: true,
    curated: ['gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'o3', 'o4-mini'],
  },
  azure: {
    provider: 'azure',
    pricingSource: PRICING_PAGES.azure,
    structuredOutputsWithTools: true,
    curated: ['gpt-5', 'gpt-5-mini', 'gpt-4.1', 'gpt-4o', 'gpt-4o-mini', 'o4-mini'],
  },
  google: {
    provider: 'gemini',
    pricingSource: PRICING_PAGES.gemini,
    structuredOutputsWithTools: true,
    curated: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.0-flash', 'gemini-2.0-flash-lite'],
  },
  'google-vertex': {
    provider: 'vertex',
    pricingSource: PRICING_PAGES.vertex,
    structuredOutputsWithTools: true,
    curated: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.0-flash'],
  },
  'fireworks-ai': {
    provider: 'fireworks',
    pricingSource: PRICING_PAGES.fireworks,
    structuredOutputsWithTools: true,
    curated: [
      'accounts/fireworks/models/gpt-oss-120b',
      'accounts/fireworks/models/deepseek-v3p1',
      'accounts/fireworks/models/kimi-k2-instruct',
      'accounts/fireworks/models/qwen3-coder-480b-a35b-instruct',
    ],
  },
  alibaba: {
    provider: 'alibaba',
    pricingSource: PRICING_PAGES.alibaba,
    structuredOutputsWithTools: true,
    curated: ['qwen3-coder-plus'],
  },
  huggingface: {
    provider: 'hugging face',
    pricingSource: PRICING_PAGES.huggingface,
    structuredOutputsWithTools: false,
    curated: ['deepseek-ai/DeepSeek-R1-0528', 'Qwen/Qwen3-Coder-480B-A35B-Instruct', 'moonshotai/Kimi-K2-Instruct', 'zai-org/GLM-4.5'],
  },
  'cloudflare-workers-ai': {
    provider: 'cloudflare',
    pricingSource: PRICING_PAGES.cloudflare,
    structuredOutputsWithTools: false,
    curated: ['llama-3.3-70b-instruct-fp8-fast', 'gpt-oss-120b', 'llama-4-scout-17b-16e-instruct', 'gemma-3-12b-it', 'mistral-small-3.1-24b-instruct'],
    wireId: cloudflareWireId,
  },
  // Not in the installed models.dev snapshot; mapped so they are picked up when a newer snapshot carries them.
  aiml: { provider: 'aiml', pricingSource: PRICING_PAGES.aiml, structuredOutputsWithTools: true, curated: [] },
  asicloud: { provider: 'asicloud', pricingSource: PRICING_PAGES.asicloud, structuredOutputsWithTools: true, curated: [] },
};
