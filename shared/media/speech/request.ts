/**
 * POST /v1/audio/speech bodies. The voice must be one the model has, when the catalog lists them. `language` is
 * a Compose extension (OpenAI's route has none) for providers whose speech API takes one; elsewhere it is refused.
 */
import type { ProviderId } from '../../../layers/providers/types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import { onlyKnown, optionalEnum, optionalNumber, optionalString, readProvider, requireModel, requireString, type Body } from '../fields.ts';
import { allowedValues, type MediaModel } from '../model.ts';
import { MEDIA_LIMITS } from '../../../layers/core/media/limits.ts';

export const SPEECH_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export type SpeechFormat = (typeof SPEECH_FORMATS)[number];

export interface SpeechCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly input: string;
  readonly voice: string;
  readonly format: SpeechFormat;
  readonly speed: number | undefined;
  readonly instructions: string | undefined;
  readonly language: string | undefined;
  /** `audio` (the default): the audio bytes; `sse`: Server-Sent Events carrying them as they arrive. */
  readonly streamFormat?: 'audio' | 'sse';
}

/** Providers whose speech API takes a language: ElevenLabs (`language_code`) and Cartesia (`language`). */
export const SPEECH_LANGUAGE_PROVIDERS: readonly ProviderId[] = ['elevenlabs', 'cartesia'];

/** ISO 639-1, as both providers name languages. */
const LANGUAGE = /^[a-z]{2}$/;

const readLanguage = (body: Body): string | undefined => {
  const language = optionalString(body, 'language');
  if (language !== undefined && !LANGUAGE.test(language)) {
    throw new InvalidRequestError('invalid_language', `'language' must be an ISO 639-1 code such as 'en' or 'fr'; got '${language}'.`, { param: 'language' });
  }
  return language;
};

/** Characters as people count them (code points), which is what per-character prices count. */
export const characterCount = (text: string): number => [...text].length;

export const parseSpeechRequest = (body: Body): SpeechCall => {
  onlyKnown(body, ['input', 'voice', 'response_format', 'speed', 'instructions', 'stream_format', 'language']);
  const model = requireModel(body as Record<string, unknown>);
  const input = requireString(body, 'input');
  if (characterCount(input) > MEDIA_LIMITS.speechInputCharacters) {
    throw new InvalidRequestError('input_too_long', `'input' has ${characterCount(input)} characters; the limit is ${MEDIA_LIMITS.speechInputCharacters}.`, { param: 'input' });
  }
  return {
    model,
    provider: readProvider(body),
    input,
    voice: requireString(body, 'voice'),
    format: optionalEnum(body, 'response_format', SPEECH_FORMATS, 'unsupported_response_format') ?? 'mp3',
    speed: optionalNumber(body, 'speed', { min: 0.25, max: 4, code: 'invalid_speed' }),
    instructions: optionalString(body, 'instructions'),
    language: readLanguage(body),
    streamFormat: optionalEnum(body, 'stream_format', ['audio', 'sse'] as const, 'unsupported_stream_format') ?? 'audio',
  };
};

/** 400 `unsupported_parameter` before any money moves: a language the provider's API has no place for is refused, not dropped. */
export const checkLanguage = (call: SpeechCall, model: MediaModel): void => {
  if (call.language !== undefined && !SPEECH_LANGUAGE_PROVIDERS.includes(model.provider)) {
    throw new InvalidRequestError(
      'unsupported_parameter',
      `The ${model.provider} provider's speech API takes no language; 'language' is available with ${SPEECH_LANGUAGE_PROVIDERS.join(' and ')} models.`,
      { param: 'language' },
    );
  }
};

/** 400 `unknown_voice` before any money moves, listing the voices the model has. */
export const checkVoice = (call: SpeechCall, model: MediaModel): void => {
  const voices = allowedValues(model, 'voice');
  if (voices && !voices.includes(call.voice)) {
    throw new InvalidRequestError('unknown_voice', `${model.publicId} has no voice '${call.voice}'; choose one of ${voices.map((v) => `'${v}'`).join(', ')}.`, { param: 'voice' });
  }
};
