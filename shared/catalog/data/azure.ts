/**
 * Azure OpenAI media deployments. The upstream model is the deployment name, which this catalog assumes is
 * the model name (the Azure adapter can map it through its transport options). Azure's global-deployment
 * prices match OpenAI's list prices for these models.
 */
import { perAudioMinute, perImage, perMillionCharacters, perMillionTokens } from '../pricing-units.ts';
import { op, type CuratedModel } from './curated-model.ts';
import { DALL_E_3_PRICES, GPT_IMAGE_1_PRICES } from './openai.ts';
import { PRICING_PAGES } from './sources.ts';

const base = {
  provider: 'azure',
  ownedBy: 'openai',
  pricingSource: PRICING_PAGES.azure,
  priceVerified: false,
} as const;

export const AZURE_MEDIA: readonly CuratedModel[] = [
  {
    ...base,
    modelId: 'gpt-image-1',
    name: 'GPT Image 1 (Azure)',
    family: 'gpt-image',
    description: 'GPT Image 1 on Azure OpenAI: image generation and editing, billed per image by quality and size.',
    operations: [op('image-generation', perImage(GPT_IMAGE_1_PRICES), { streamable: true }), op('image-edit', perImage(GPT_IMAGE_1_PRICES), { streamable: true })],
  },
  {
    ...base,
    modelId: 'dall-e-3',
    name: 'DALL·E 3 (Azure)',
    family: 'dall-e',
    description: 'DALL·E 3 on Azure OpenAI.',
    operations: [op('image-generation', perImage(DALL_E_3_PRICES))],
  },
  {
    ...base,
    modelId: 'tts',
    name: 'TTS (Azure)',
    family: 'tts',
    description: 'OpenAI text-to-speech on Azure OpenAI.',
    operations: [op('speech', perMillionCharacters(15))],
  },
  {
    ...base,
    modelId: 'tts-hd',
    name: 'TTS HD (Azure)',
    family: 'tts',
    description: 'High-quality OpenAI text-to-speech on Azure OpenAI.',
    operations: [op('speech', perMillionCharacters(30))],
    curated: false,
  },
  {
    ...base,
    modelId: 'whisper',
    name: 'Whisper (Azure)',
    family: 'whisper',
    description: 'Whisper speech-to-text on Azure OpenAI.',
    operations: [op('transcription', perAudioMinute(0.006))],
  },
  {
    ...base,
    modelId: 'text-embedding-3-small',
    name: 'text-embedding-3-small (Azure)',
    family: 'text-embedding-3',
    description: 'OpenAI small embedding model on Azure OpenAI.',
    contextWindow: 8191,
    operations: [op('embeddings', perMillionTokens({ input: 0.02 }))],
  },
  {
    ...base,
    modelId: 'text-embedding-3-large',
    name: 'text-embedding-3-large (Azure)',
    family: 'text-embedding-3',
    description: 'OpenAI large embedding model on Azure OpenAI.',
    contextWindow: 8191,
    operations: [op('embeddings', perMillionTokens({ input: 0.13 }))],
  },
];
