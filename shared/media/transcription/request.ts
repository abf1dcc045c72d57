/** POST /v1/audio/transcriptions: a multipart body with the audio `file` and OpenAI's fields. */
import type { MediaFile } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError } from '../../errors.ts';
import { onlyKnown, optionalEnum, optionalNumber, optionalString, readProvider, refuseStreaming, requireModel } from '../fields.ts';
import type { SniffedMedia } from '../formats/sniff.ts';
import { assertFileSize, assertFormat, requireFiles } from '../upload/files.ts';
import { fieldsAsBody, type MultipartBody } from '../upload/multipart.ts';

export const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** What speech-to-text providers take (OpenAI: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm). */
export const TRANSCRIBABLE_TYPES = ['audio/wav', 'audio/mpeg', 'audio/flac', 'audio/ogg', 'audio/mp4', 'video/mp4', 'video/webm'];

export interface TranscriptionCall {
  readonly model: string;
  readonly provider: string | undefined;
  readonly file: MediaFile;
  readonly sniffed: SniffedMedia;
  readonly language: string | undefined;
  readonly prompt: string | undefined;
  readonly format: TranscriptFormat;
}

const LANGUAGE = /^[a-z]{2,3}$/;

export const parseTranscriptionRequest = (form: MultipartBody, maxFileBytes: number): TranscriptionCall => {
  const body = fieldsAsBody(form);
  onlyKnown(body, ['file', 'language', 'prompt', 'response_format', 'temperature', 'timestamp_granularities[]', 'stream']);
  refuseStreaming(body);
  const model = requireModel(body);
  const granularities = form.fields.get('timestamp_granularities[]') ?? [];
  if (granularities.some((g) => g !== 'segment')) {
    throw new InvalidRequestError('unsupported_parameter', "Only 'segment' timestamps are available on this gateway.", { param: 'timestamp_granularities' });
  }
  optionalNumber(body, 'temperature', { min: 0, max: 1 });
  const language = optionalString(body, 'language');
  if (language !== undefined && !LANGUAGE.test(language)) {
    throw new InvalidRequestError('invalid_language', `'language' must be an ISO-639-1 code such as 'en', got '${language}'.`, { param: 'language' });
  }
  const [upload, ...more] = requireFiles(form, 'file', ['file']);
  if (more.length > 0) throw new InvalidRequestError('too_many_files', 'Send exactly one audio file.', { param: 'file' });
  assertFileSize(upload!, maxFileBytes, 'file');
  const { file, sniffed } = assertFormat(upload!, TRANSCRIBABLE_TYPES, 'file');
  return {
    model,
    provider: readProvider(body),
    file,
    sniffed,
    language,
    prompt: optionalString(body, 'prompt'),
    format: optionalEnum(body, 'response_format', TRANSCRIPT_FORMATS, 'invalid_response_format') ?? 'json',
  };
};
