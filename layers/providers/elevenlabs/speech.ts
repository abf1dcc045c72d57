/**
 * Canonical speech → ElevenLabs' `output_format` and body. ElevenLabs encodes MP3, raw PCM and Opus (and μ-law/
 * A-law): WAV, FLAC and AAC are refused. Speed goes in `voice_settings.speed`, which ElevenLabs bounds to 0.7–1.2;
 * a language in `language_code` (ISO 639-1), which ElevenLabs enforces on the models that support it.
 */
import { InvalidRequestError } from '../../core/errors.ts';
import { unsupportedFormat } from '../media-input.ts';
import type { SpeechRequest } from '../media-types.ts';

const OUTPUT_FORMATS: Readonly<Record<string, { readonly outputFormat: string; readonly mediaType: string }>> = {
  mp3: { outputFormat: 'mp3_44100_128', mediaType: 'audio/mpeg' },
  pcm: { outputFormat: 'pcm_24000', mediaType: 'audio/pcm' },
  opus: { outputFormat: 'opus_48000_128', mediaType: 'audio/ogg' },
};

export const MIN_SPEED = 0.7;
export const MAX_SPEED = 1.2;

export const ttsRequest = (request: SpeechRequest): { readonly path: string; readonly query: URLSearchParams; readonly body: Record<string, unknown>; readonly mediaType: string } => {
  const format = OUTPUT_FORMATS[request.format];
  if (!format) throw unsupportedFormat('elevenlabs', request.format, Object.keys(OUTPUT_FORMATS));
  if (request.voice.trim() === '') throw new InvalidRequestError('invalid_voice', 'The elevenlabs provider needs a voice id.', { param: 'voice' });
  if (request.speed !== undefined && (request.speed < MIN_SPEED || request.speed > MAX_SPEED)) {
    throw new InvalidRequestError('invalid_speed', `The elevenlabs provider speaks at ${MIN_SPEED} to ${MAX_SPEED} times normal speed.`, { param: 'speed' });
  }
  return {
    path: `/v1/text-to-speech/${encodeURIComponent(request.voice)}`,
    query: new URLSearchParams({ output_format: format.outputFormat }),
    body: {
      text: request.input,
      model_id: request.model,
      ...(request.language !== undefined ? { language_code: request.language } : {}),
      ...(request.speed !== undefined ? { voice_settings: { speed: request.speed } } : {}),
    },
    mediaType: format.mediaType,
  };
};
