/** Text to speech: the audio streams back as the provider sends it, labelled by its format. */
import type { SpeechRequest } from '../../media-types.ts';

export const SPEECH_MEDIA_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

export const speechBody = (request: SpeechRequest): Record<string, unknown> => ({
  model: request.model,
  input: request.input,
  voice: request.voice,
  response_format: request.format,
  ...(request.speed !== undefined ? { speed: request.speed } : {}),
  ...(request.instructions !== undefined ? { instructions: request.instructions } : {}),
});

/** The format asked for decides the label: OpenAI's own content types vary (`audio/opus`, `audio/L16`…). */
export const speechMediaType = (format: string, header: string | null): string => SPEECH_MEDIA_TYPES[format] ?? header ?? 'application/octet-stream';
