/**
 * Canonical speech → `/v1/speak` options. The voice picks the Aura model: the catalog's `aura-2` with voice
 * `thalia` is `aura-2-thalia-en` (a full model id as the voice is used as is). Formats map to Deepgram's
 * encoding/container combinations; speed has no REST equivalent and is refused rather than ignored.
 */
import { InvalidRequestError } from '../../core/errors.ts';
import { unsupportedFormat } from '../media-input.ts';
import type { SpeechRequest } from '../media-types.ts';

const FORMATS: Readonly<Record<string, { readonly query: Readonly<Record<string, string>>; readonly mediaType: string }>> = {
  mp3: { query: { encoding: 'mp3' }, mediaType: 'audio/mpeg' },
  wav: { query: { encoding: 'linear16', container: 'wav' }, mediaType: 'audio/wav' },
  pcm: { query: { encoding: 'linear16', container: 'none' }, mediaType: 'audio/pcm' },
  opus: { query: { encoding: 'opus', container: 'ogg' }, mediaType: 'audio/ogg' },
  flac: { query: { encoding: 'flac' }, mediaType: 'audio/flac' },
  aac: { query: { encoding: 'aac' }, mediaType: 'audio/aac' },
};

/** `aura-2` + `thalia` → `aura-2-thalia-en`; `aura-1`/`aura` + `asteria` → `aura-asteria-en`. */
export const auraModel = (model: string, voice: string): string => {
  if (/^aura-/.test(voice)) return voice;
  if (voice === '' || !/^[a-z]+(?:-[a-z]{2})?$/.test(voice)) {
    throw new InvalidRequestError('invalid_voice', `"${voice}" is not a Deepgram Aura voice name (such as thalia or asteria).`, { param: 'voice' });
  }
  const withLanguage = /-[a-z]{2}$/.test(voice) ? voice : `${voice}-en`;
  return /^aura-2/.test(model) ? `aura-2-${withLanguage}` : `aura-${withLanguage}`;
};

export const speakRequest = (request: SpeechRequest): { readonly query: URLSearchParams; readonly mediaType: string } => {
  const format = FORMATS[request.format];
  if (!format) throw unsupportedFormat('deepgram', request.format, Object.keys(FORMATS));
  if (request.speed !== undefined && request.speed !== 1) {
    throw new InvalidRequestError('unsupported_parameter', 'The deepgram provider does not take a speech speed.', { param: 'speed' });
  }
  return { query: new URLSearchParams({ model: auraModel(request.model, request.voice), ...format.query }), mediaType: format.mediaType };
};
