/**
 * POST /v1/audio/speech bodies. The voice must be one the model has, when the catalog lists them. `language` is
 * a Compose extension (OpenAI's route has none) for providers whose speech API takes one; elsewhere it is refused.
 */
import type { ProviderId } from '../../../layers/providers/types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import * as z from 'zod';
import { bodySchema, codesByKind, gatewayFields, numberIn, oneOf, parseMediaBody, requiredText, text, unset, type Body } from '../fields.ts';
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

/** Characters as people count them (code points), which is what per-character prices count (and zod's max). */
export const characterCount = (text: string): number => [...text].length;

/** POST /v1/audio/speech, in the order its fields are checked; unknown fields are refused, as OpenAI does. */
export const SPEECH_BODY = bodySchema(() => z.strictObject({
  model: gatewayFields().model,
  input: requiredText().max(MEDIA_LIMITS.speechInputCharacters, {
    error: (issue) => `'input' has ${characterCount(String(issue.input))} characters; the limit is ${MEDIA_LIMITS.speechInputCharacters}.`,
  }),
  provider: gatewayFields().provider,
  voice: requiredText(),
  response_format: oneOf(SPEECH_FORMATS),
  speed: numberIn('json', 0.25, 4),
  instructions: text(),
  language: z
    .string()
    .regex(LANGUAGE, { error: (issue) => `'language' must be an ISO 639-1 code such as 'en' or 'fr'; got '${String(issue.input)}'.` })
    .nullish(),
  stream_format: oneOf(['audio', 'sse']),
}));

const SPEECH_REFUSALS = {
  input: codesByKind({ too_big: 'input_too_long' }),
  response_format: codesByKind({ invalid: 'unsupported_response_format' }),
  speed: codesByKind({ too_small: 'invalid_speed', too_big: 'invalid_speed' }),
  language: codesByKind({ invalid_format: 'invalid_language' }),
  stream_format: codesByKind({ invalid: 'unsupported_stream_format' }),
};

export const parseSpeechRequest = (body: Body): SpeechCall => {
  const fields = parseMediaBody(SPEECH_BODY, body, SPEECH_REFUSALS);
  return {
    model: fields.model,
    provider: unset(fields.provider),
    input: fields.input,
    voice: fields.voice,
    format: fields.response_format ?? 'mp3',
    speed: unset(fields.speed),
    instructions: unset(fields.instructions),
    language: unset(fields.language),
    streamFormat: fields.stream_format ?? 'audio',
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
