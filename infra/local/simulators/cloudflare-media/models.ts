/** The Workers AI models the simulator runs, by kind, with their documented input limits. */

export const EMBEDDING_MODELS: Readonly<Record<string, number>> = {
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
  '@cf/baai/bge-m3': 1024,
};
export const MAX_EMBEDDING_TEXTS = 100;

export const FLUX_MODELS = ['@cf/black-forest-labs/flux-1-schnell'];
export const STABLE_DIFFUSION_MODELS = ['@cf/stabilityai/stable-diffusion-xl-base-1.0', '@cf/bytedance/stable-diffusion-xl-lightning', '@cf/lykon/dreamshaper-8-lcm'];

export const MELOTTS_MODEL = '@cf/myshell-ai/melotts';
export const MELOTTS_LANGUAGES = ['en', 'es', 'fr', 'zh', 'ja', 'ko'];

export const AURA_MODEL = '@cf/deepgram/aura-1';
export const AURA_SPEAKERS = ['angus', 'asteria', 'arcas', 'orion', 'orpheus', 'athena', 'luna', 'zeus', 'perseus', 'helios', 'hera', 'stella'];
/** Encoding → container → what the simulator writes. */
export const AURA_OUTPUTS: Readonly<Record<string, Readonly<Record<string, 'mp3' | 'wav' | 'pcm' | 'opus' | 'flac' | 'aac'>>>> = {
  mp3: { none: 'mp3' },
  linear16: { wav: 'wav', none: 'pcm' },
  opus: { ogg: 'opus' },
  flac: { none: 'flac' },
  aac: { none: 'aac' },
};

export const WHISPER_MODELS = ['@cf/openai/whisper', '@cf/openai/whisper-tiny-en'];
export const WHISPER_TURBO_MODEL = '@cf/openai/whisper-large-v3-turbo';
export const NOVA_MODEL = '@cf/deepgram/nova-3';
export const CLASSIFICATION_MODELS = ['@cf/microsoft/resnet-50'];

export const IMAGENET_LABELS = ['tabby cat', 'golden retriever', 'lighthouse', 'teapot', 'paper towel', 'sports car', 'mountain bike', 'espresso'];
