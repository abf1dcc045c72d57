/**
 * What each OpenAI media model accepts, as OpenAI documents it (platform.openai.com/docs/api-reference):
 * image sizes and qualities, voices, transcription formats, embedding dimensions.
 */

export const EMBEDDING_MODELS: Readonly<Record<string, { readonly dimensions: number; readonly shortenable: boolean }>> = {
  'text-embedding-3-small': { dimensions: 1536, shortenable: true },
  'text-embedding-3-large': { dimensions: 3072, shortenable: true },
  'text-embedding-ada-002': { dimensions: 1536, shortenable: false },
};

export interface ImageModelRules {
  readonly sizes: readonly string[];
  readonly qualities: readonly string[];
  readonly maxN: number;
  readonly maxPrompt: number;
  /** GPT Image answers base64 only and refuses `response_format`. */
  readonly gptImage: boolean;
  readonly edits: boolean;
  /** What `auto` resolves to. */
  readonly autoQuality: string;
}

const GPT_IMAGE: ImageModelRules = {
  sizes: ['1024x1024', '1536x1024', '1024x1536', 'auto'],
  qualities: ['low', 'medium', 'high', 'auto'],
  maxN: 10,
  maxPrompt: 32_000,
  gptImage: true,
  edits: true,
  autoQuality: 'high',
};

export const IMAGE_MODELS: Readonly<Record<string, ImageModelRules>> = {
  'dall-e-2': { sizes: ['256x256', '512x512', '1024x1024'], qualities: ['standard', 'auto'], maxN: 10, maxPrompt: 1000, gptImage: false, edits: true, autoQuality: 'standard' },
  'dall-e-3': { sizes: ['1024x1024', '1792x1024', '1024x1792'], qualities: ['standard', 'hd', 'auto'], maxN: 1, maxPrompt: 4000, gptImage: false, edits: false, autoQuality: 'standard' },
  'gpt-image-1': GPT_IMAGE,
  'gpt-image-1-mini': GPT_IMAGE,
  'chatgpt-image-latest': GPT_IMAGE,
};

const CLASSIC_VOICES = ['alloy', 'ash', 'coral', 'echo', 'fable', 'onyx', 'nova', 'sage', 'shimmer'];

export const SPEECH_MODELS: Readonly<Record<string, { readonly voices: readonly string[]; readonly instructions: boolean }>> = {
  'tts-1': { voices: CLASSIC_VOICES, instructions: false },
  'tts-1-hd': { voices: CLASSIC_VOICES, instructions: false },
  'gpt-4o-mini-tts': { voices: [...CLASSIC_VOICES, 'ballad', 'verse', 'marin', 'cedar'], instructions: true },
};

export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;

export const TRANSCRIPTION_MODELS: Readonly<Record<string, { readonly formats: readonly string[] }>> = {
  'whisper-1': { formats: ['json', 'text', 'srt', 'verbose_json', 'vtt'] },
  'gpt-4o-transcribe': { formats: ['json', 'text'] },
  'gpt-4o-mini-transcribe': { formats: ['json', 'text'] },
};

/** OpenAI checks the upload's extension. */
export const TRANSCRIPTION_EXTENSIONS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
export const TRANSCRIPTION_MAX_BYTES = 26_214_400;

/** Defaults when the model is omitted (OpenAI's documented defaults). */
export const DEFAULT_IMAGE_MODEL = 'dall-e-2';

export const listOf = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
