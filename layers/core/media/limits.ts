/**
 * Upload limits, as the providers document them. API Gateway refuses any request over 10 MB before a function
 * runs (413 from the gateway itself), so a limit above that only applies where a deployment raises it.
 */
export const MEDIA_LIMITS = {
  /** OpenAI transcriptions: 25 MB per file. */
  transcriptionFileBytes: 25 * 1024 * 1024,
  /** GPT Image edits: under 50 MB per image. */
  imageFileBytes: 50 * 1024 * 1024,
  /** DALL·E 2 edits: a square PNG under 4 MB (image and mask). */
  dallE2ImageBytes: 4 * 1024 * 1024,
  /** GPT Image edits take up to 16 images. */
  maxEditImages: 16,
  /** OpenAI speech input. */
  speechInputCharacters: 4096,
  /** Embedding inputs per request (OpenAI). */
  embeddingInputs: 2048,
  /** Generated audio held before it is answered (about 30 minutes of MP3 at 64 kbit/s). */
  speechOutputBytes: 16 * 1024 * 1024,
} as const;

export const formatBytes = (bytes: number): string => (bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`);
