/**
 * Canonical speech → a `/tts/bytes` body. Cartesia writes MP3, WAV and raw PCM (16-bit here); other formats are
 * refused. The voice is a Cartesia voice id; a language goes in `language` (Cartesia's ISO 639-1 codes). Speed goes
 * in `generation_config.speed` (0.6–1.5), which only the sonic-3 line reads (the SDK: "only for sonic-3 and no
 * effect on earlier models"); earlier models take only the deprecated `speed: slow|normal|fast`, so a numeric speed
 * for them is refused rather than silently ignored.
 */
import { InvalidRequestError } from '../../core/errors.ts';
import { unsupportedFormat } from '../media-input.ts';
import type { SpeechRequest } from '../media-types.ts';
import type { TtsBytesRequest } from './wire.ts';

const FORMATS: Readonly<Record<string, { readonly output: TtsBytesRequest['output_format']; readonly mediaType: string }>> = {
  mp3: { output: { container: 'mp3', sample_rate: 44_100, bit_rate: 128_000 }, mediaType: 'audio/mpeg' },
  wav: { output: { container: 'wav', encoding: 'pcm_s16le', sample_rate: 44_100 }, mediaType: 'audio/wav' },
  pcm: { output: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24_000 }, mediaType: 'audio/pcm' },
};

export const MIN_SPEED = 0.6;
export const MAX_SPEED = 1.5;

/** `sonic-3`, `sonic-3.5`, their dated snapshots and `sonic-latest`: the models that read `generation_config`. */
export const takesGenerationConfig = (model: string): boolean => /^sonic-(3([.-]|$)|latest$)/.test(model);

export const ttsBytesRequest = (request: SpeechRequest): { readonly body: TtsBytesRequest; readonly mediaType: string } => {
  const format = FORMATS[request.format];
  if (!format) throw unsupportedFormat('cartesia', request.format, Object.keys(FORMATS));
  if (request.voice.trim() === '') throw new InvalidRequestError('invalid_voice', 'The cartesia provider needs a voice id.', { param: 'voice' });
  if (request.speed !== undefined && (request.speed < MIN_SPEED || request.speed > MAX_SPEED)) {
    throw new InvalidRequestError('invalid_speed', `The cartesia provider speaks at ${MIN_SPEED} to ${MAX_SPEED} times normal speed.`, { param: 'speed' });
  }
  if (request.speed !== undefined && request.speed !== 1 && !takesGenerationConfig(request.model)) {
    throw new InvalidRequestError('unsupported_parameter', `Cartesia's ${request.model} has no numeric speed; the sonic-3 models do.`, { param: 'speed' });
  }
  return {
    body: {
      model_id: request.model,
      transcript: request.input,
      voice: { mode: 'id', id: request.voice },
      output_format: format.output,
      ...(request.language !== undefined ? { language: request.language } : {}),
      ...(request.speed !== undefined && takesGenerationConfig(request.model) ? { generation_config: { speed: request.speed } } : {}),
    },
    mediaType: format.mediaType,
  };
};
