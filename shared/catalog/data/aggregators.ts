/**
 * Text models of the aggregator providers models.dev does not carry (AI/ML API, ASI:Cloud). Both speak the
 * OpenAI Chat Completions wire format. Their prices could not be read from their pages while writing this
 * table, so every row is marked unverified and should be checked before billing real traffic.
 */
import { perMillionTokens } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { PRICING_PAGES } from './sources.ts';

const aiml = { provider: 'aiml', pricingSource: PRICING_PAGES.aiml, priceVerified: false } as const;
const asicloud = { provider: 'asicloud', pricingSource: PRICING_PAGES.asicloud, priceVerified: false } as const;
const chat = { toolCalls: true, structuredOutputs: true } as const;

export const AGGREGATOR_TEXT_MODELS: readonly CuratedModel[] = [
  {
    ...aiml,
    modelId: 'gpt-4o',
    name: 'GPT-4o (AI/ML API)',
    family: 'gpt-4o',
    ownedBy: 'openai',
    description: 'OpenAI GPT-4o resold by AI/ML API.',
    contextWindow: 128000,
    maxOutputTokens: 16384,
    operations: [op('text-generation', perMillionTokens({ input: 2.625, output: 10.5 }), { sourceTypes: ['text', 'image'], input: ['text', 'image'] })],
    capabilities: { ...chat, vision: true, attachments: true },
  },
  {
    ...aiml,
    modelId: 'gpt-4o-mini',
    name: 'GPT-4o mini (AI/ML API)',
    family: 'gpt-4o-mini',
    ownedBy: 'openai',
    description: 'OpenAI GPT-4o mini resold by AI/ML API.',
    contextWindow: 128000,
    maxOutputTokens: 16384,
    operations: [op('text-generation', perMillionTokens({ input: 0.1575, output: 0.63 }), { sourceTypes: ['text', 'image'], input: ['text', 'image'] })],
    capabilities: { ...chat, vision: true, attachments: true },
    curated: false,
  },
  {
    ...aiml,
    modelId: 'deepseek/deepseek-chat',
    name: 'DeepSeek V3 (AI/ML API)',
    family: 'deepseek-v3',
    ownedBy: 'deepseek',
    description: 'DeepSeek V3 chat model through AI/ML API.',
    contextWindow: 128000,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 0.294, output: 1.155 }))],
    capabilities: chat,
  },
  {
    ...aiml,
    modelId: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    name: 'Llama 3.3 70B Instruct Turbo (AI/ML API)',
    family: 'llama-3.3',
    ownedBy: 'meta',
    description: 'Meta Llama 3.3 70B Instruct through AI/ML API.',
    contextWindow: 128000,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 0.924, output: 0.924 }))],
    capabilities: { toolCalls: true },
    curated: false,
  },
  {
    ...asicloud,
    modelId: 'asi1-mini',
    name: 'ASI-1 Mini',
    family: 'asi1',
    ownedBy: 'asi-alliance',
    description: 'The ASI Alliance\'s agentic reasoning model, served by ASI:Cloud.',
    contextWindow: 128000,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 1, output: 1 }))],
    capabilities: { ...chat, reasoning: true },
  },
  {
    ...asicloud,
    modelId: 'google/gemma-3-27b-it',
    name: 'Gemma 3 27B (ASI:Cloud)',
    family: 'gemma-3',
    ownedBy: 'google',
    description: 'Google Gemma 3 27B instruct on ASI:Cloud.',
    contextWindow: 131072,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 0.1, output: 0.2 }))],
    capabilities: { structuredOutputs: true },
  },
  {
    ...asicloud,
    modelId: 'meta-llama/llama-3.3-70b-instruct',
    name: 'Llama 3.3 70B Instruct (ASI:Cloud)',
    family: 'llama-3.3',
    ownedBy: 'meta',
    description: 'Meta Llama 3.3 70B instruct on ASI:Cloud.',
    contextWindow: 131072,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 0.13, output: 0.4 }))],
    capabilities: chat,
    curated: false,
  },
  {
    ...asicloud,
    modelId: 'qwen/qwen3-32b',
    name: 'Qwen3 32B (ASI:Cloud)',
    family: 'qwen3',
    ownedBy: 'qwen',
    description: 'Qwen3 32B with switchable thinking on ASI:Cloud.',
    contextWindow: 40960,
    maxOutputTokens: 8192,
    operations: [op('text-generation', perMillionTokens({ input: 0.1, output: 0.3 }))],
    capabilities: { ...chat, reasoning: true },
    curated: false,
  },
];
