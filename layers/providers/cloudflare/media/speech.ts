/** Canonical speech requests → MeloTTS and Aura-1 inputs (the voice names MeloTTS's language or Aura's speaker). */
import { InvalidRequestError } from '../../../core/errors.ts';
import { unsupportedFormat } from '../../media-input.ts';
import type { SpeechRequest } from '../../media-types.ts';
import { AURA_1_SPEAKERS, AURA_FORMATS, MELOTTS_LANGUAGES } from './models.ts';

const unknownVoice = (voice: string, allowed: readonly string[], what: string): InvalidRequestError =>
  new InvalidRequestError('invalid_voice', `The cloudflare provider's ${what} has no voice "${voice}"; use one of: ${allowed.join(', ')}.`, { param: 'voice' });

export const melottsInput = (request: SpeechRequest): Record<string, unknown> => {
  if (request.format !== 'mp3') throw unsupportedFormat('cloudflare', request.format, ['mp3']);
  const lang = request.voice === '' || request.voice === 'default' ? 'en' : request.voice;
  if (!(MELOTTS_LANGUAGES as readonly string[]).includes(lang)) throw unknownVoice(request.voice, MELOTTS_LANGUAGES, 'MeloTTS (a language)');
  return { prompt: request.input, lang };
};

export const auraInput = (request: SpeechRequest): { readonly body: Record<string, unknown>; readonly mediaType: string } => {
  const format = AURA_FORMATS[request.format];
  if (!format) throw unsupportedFormat('cloudflare', request.format, Object.keys(AURA_FORMATS));
  if (!(AURA_1_SPEAKERS as readonly string[]).includes(request.voice)) throw unknownVoice(request.voice, AURA_1_SPEAKERS, 'Aura-1');
  return { body: { text: request.input, speaker: request.voice, encoding: format.encoding, ...(format.container ? { container: format.container } : {}) }, mediaType: format.mediaType };
};
