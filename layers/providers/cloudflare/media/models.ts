/** What each Workers AI model family takes and answers, by model id. */

export type CloudflareImageFamily = 'flux' | 'stable-diffusion';
export type CloudflareSpeechFamily = 'melotts' | 'aura';
export type CloudflareTranscriptionFamily = 'whisper' | 'whisper-turbo' | 'nova';

export const imageFamily = (model: string): CloudflareImageFamily => (/flux/.test(model) ? 'flux' : 'stable-diffusion');

export const speechFamily = (model: string): CloudflareSpeechFamily | undefined =>
  /melotts/.test(model) ? 'melotts' : /deepgram\/aura/.test(model) ? 'aura' : undefined;

export const transcriptionFamily = (model: string): CloudflareTranscriptionFamily | undefined =>
  /whisper-large-v3-turbo/.test(model) ? 'whisper-turbo' : /whisper/.test(model) ? 'whisper' : /deepgram\/nova/.test(model) ? 'nova' : undefined;

/** MeloTTS speaks a language, not a named voice: the voice names the language. */
export const MELOTTS_LANGUAGES = ['en', 'es', 'fr', 'zh', 'ja', 'ko'] as const;

export const AURA_1_SPEAKERS = ['angus', 'asteria', 'arcas', 'orion', 'orpheus', 'athena', 'luna', 'zeus', 'perseus', 'helios', 'hera', 'stella'] as const;

/** Aura's `encoding`/`container` per canonical format (Deepgram's combinations). */
export const AURA_FORMATS: Readonly<Record<string, { readonly encoding: string; readonly container?: string; readonly mediaType: string }>> = {
  mp3: { encoding: 'mp3', mediaType: 'audio/mpeg' },
  wav: { encoding: 'linear16', container: 'wav', mediaType: 'audio/wav' },
  pcm: { encoding: 'linear16', container: 'none', mediaType: 'audio/pcm' },
  opus: { encoding: 'opus', container: 'ogg', mediaType: 'audio/ogg' },
  flac: { encoding: 'flac', mediaType: 'audio/flac' },
  aac: { encoding: 'aac', mediaType: 'audio/aac' },
};

/** The bge models embed at most 100 texts per call. */
export const MAX_EMBEDDING_TEXTS = 100;
