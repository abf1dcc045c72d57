/**
 * POST /v1/audio/transcriptions: OpenAI's fields, and the audio either as a multipart `file` (up to API
 * Gateway's 10 MB body) or by reference, `file_id`, to an upload made with POST /v1/uploads (up to the 25 MB
 * providers take): as a multipart field or in a JSON body. An upload is read here only by its first bytes.
 */
import type { MediaFile, MediaInput } from '../../../layers/providers/media-types.ts';
import { InvalidRequestError } from '../../../layers/core/errors.ts';
import * as z from 'zod';
import { bodySchemas, codesByKind, flag, gatewayFields, numberIn, oneOf, parseMediaBody, text, unset, type Body, type Mode } from '../fields.ts';
import type { SniffedMedia } from '../../../layers/core/media/formats/sniff.ts';
import { assertFileSize, assertFormat, FILE_ERROR_CODES, filesNamed } from '../../uploads/files.ts';
import { fieldsAsBody, type MultipartBody } from '../upload/multipart.ts';

export const TRANSCRIPT_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** What speech-to-text providers take (OpenAI: flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm). */
export const TRANSCRIBABLE_TYPES = ['audio/wav', 'audio/mpeg', 'audio/flac', 'audio/ogg', 'audio/mp4', 'video/mp4', 'video/webm'];

/** Everything but the audio. */
export interface TranscriptionFields {
  readonly model: string;
  readonly provider: string | undefined;
  readonly language: string | undefined;
  readonly prompt: string | undefined;
  readonly format: TranscriptFormat;
  /** Answer as Server-Sent Events (`transcript.text.delta`, then `transcript.text.done`): json and text only. */
  readonly stream: boolean;
}

export interface TranscriptionCall extends TranscriptionFields {
  /** Bytes from a multipart body, or an upload streamed from the media bucket. */
  readonly file: MediaInput;
  readonly sniffed: SniffedMedia;
}

/** Where the audio is: sent with the call, or uploaded before it. */
export type AudioSource = { readonly file: MediaFile } | { readonly fileId: string };

export interface TranscriptionRequest {
  readonly fields: TranscriptionFields;
  readonly source: AudioSource;
}

const LANGUAGE = /^[a-z]{2,3}$/;

/** Formats a stream can carry: OpenAI streams only plain transcripts (no segments, no subtitles). */
const STREAMABLE_FORMATS: readonly TranscriptFormat[] = ['json', 'text'];

/**
 * OpenAI's transcription fields, in the order they are checked. `file` and `file_id` are where the audio is;
 * a multipart `file` sent as text is let through here so the refusal can say what to send instead.
 */
/** In JSON, `timestamp_granularities` (or its multipart spelling): one name or a list, and only `segment` is served. */
const granularities = () => z.union([z.literal('segment'), z.array(z.literal('segment'))]).nullish();

const onlySegments = () => ({ code: 'unsupported_parameter', message: ONLY_SEGMENTS, param: 'timestamp_granularities' });
const ONLY_SEGMENTS = "Only 'segment' timestamps are available on this gateway.";

const transcriptionFields = (mode: Mode) => ({
  // In a form, a text field named `file` is let through so its refusal can say what to send; JSON cannot carry the bytes.
  file: mode === 'form' ? text() : z.never().optional(),
  stream: flag(mode),
  model: gatewayFields().model,
  ...(mode === 'form' ? { 'timestamp_granularities[]': text() } : { timestamp_granularities: granularities(), 'timestamp_granularities[]': granularities() }),
  temperature: numberIn(mode, 0, 1),
  language: z
    .string()
    .regex(LANGUAGE, { error: (issue) => `'language' must be an ISO-639-1 code such as 'en', got '${String(issue.input)}'.` })
    .nullish(),
  response_format: oneOf(TRANSCRIPT_FORMATS),
  provider: gatewayFields().provider,
  prompt: text(),
  file_id: text(),
});

/** OpenAI's translations take fewer fields: the output is always English, and it is never streamed. */
const translationFields = (mode: Mode) => {
  const { file, model, provider, prompt, response_format, temperature, file_id } = transcriptionFields(mode);
  return { file, model, temperature, response_format, provider, prompt, file_id };
};

/** POST /v1/audio/transcriptions and /translations: multipart (the audio or `file_id`) or JSON (`file_id`). */
export const TRANSCRIPTION_BODY = bodySchemas((mode) => z.strictObject(transcriptionFields(mode)));
export const TRANSLATION_BODY = bodySchemas((mode) => z.strictObject(translationFields(mode)));

const TRANSCRIPTION_REFUSALS = {
  language: codesByKind({ invalid_format: 'invalid_language' }),
  response_format: codesByKind({ invalid: 'invalid_response_format' }),
  file: () => ({ code: FILE_ERROR_CODES.missing, message: "A JSON body names its audio with 'file_id' (an upload from POST /v1/uploads); send 'file' as multipart/form-data." }),
  timestamp_granularities: onlySegments,
  'timestamp_granularities[]': onlySegments,
};

export type TranscriptionTask = 'transcribe' | 'translate';

const parseFields = (body: Body, task: TranscriptionTask, granularities: readonly unknown[]): { fields: TranscriptionFields; fileId: string | undefined } => {
  const schemas: { readonly json: z.ZodType; readonly form: z.ZodType } = task === 'translate' ? TRANSLATION_BODY : TRANSCRIPTION_BODY;
  // A translation's fields are a subset of a transcription's: what it lacks reads as unset.
  const parsed = parseMediaBody(schemas, body, TRANSCRIPTION_REFUSALS) as z.output<(typeof TRANSCRIPTION_BODY)['json']>;
  if (granularities.some((g) => g !== 'segment')) {
    throw new InvalidRequestError('unsupported_parameter', ONLY_SEGMENTS, { param: 'timestamp_granularities' });
  }
  const stream = parsed.stream ?? false;
  const format = parsed.response_format ?? 'json';
  if (stream && !STREAMABLE_FORMATS.includes(format)) {
    throw new InvalidRequestError('unsupported_stream_format', `A streamed transcript is json or text; '${format}' is answered only whole (omit 'stream').`, { param: 'response_format' });
  }
  return {
    fields: { model: parsed.model, provider: unset(parsed.provider), language: unset(parsed.language), prompt: unset(parsed.prompt), format, stream },
    fileId: unset(parsed.file_id),
  };
};

const missingFile = (sentAsText: boolean): InvalidRequestError =>
  new InvalidRequestError(
    FILE_ERROR_CODES.missing,
    sentAsText ? "'file' must be a file upload, not a text field (or name an upload with 'file_id')." : "'file' is required: upload it as a file, or name an upload with 'file_id'.",
    { param: 'file' },
  );

/** A multipart body: the audio as `file`, or `file_id` naming an upload (never both). */
export const parseTranscriptionForm = (form: MultipartBody, maxFileBytes: number, task: TranscriptionTask = 'transcribe'): TranscriptionRequest => {
  const { fields, fileId } = parseFields(fieldsAsBody(form), task, form.fields.get('timestamp_granularities[]') ?? []);
  const files = filesNamed(form, 'file');
  if (fileId !== undefined) {
    if (files.length > 0) throw new InvalidRequestError('conflicting_parameters', "Send the audio as 'file' or name an upload with 'file_id', not both.", { param: 'file_id' });
    return { fields, source: { fileId } };
  }
  if (files.length === 0) throw missingFile(form.fields.has('file'));
  const [file, ...more] = files;
  if (more.length > 0) throw new InvalidRequestError('too_many_files', 'Send exactly one audio file.', { param: 'file' });
  assertFileSize(file!, maxFileBytes, 'file');
  return { fields, source: { file: file! } };
};

/** A JSON body names its audio by `file_id`: bytes cannot travel in JSON. */
export const parseTranscriptionJson = (body: Body, task: TranscriptionTask = 'transcribe'): TranscriptionRequest => {
  const raw = body.timestamp_granularities ?? body['timestamp_granularities[]'];
  const granularities = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  // Either spelling, the first one sent wins: the other is not read.
  const read = body.timestamp_granularities != null && 'timestamp_granularities[]' in body ? { ...body, 'timestamp_granularities[]': undefined } : body;
  const { fields, fileId } = parseFields(read, task, granularities);
  if (fileId === undefined || fileId === '') throw new InvalidRequestError(FILE_ERROR_CODES.missing, "'file_id' is required: create an upload with POST /v1/uploads and PUT the audio to it.", { param: 'file_id' });
  return { fields, source: { fileId } };
};

/** The call once the audio is at hand (bytes, or an opened upload): its real format decides, not its name. */
export const transcriptionCall = (fields: TranscriptionFields, file: MediaInput, param: 'file' | 'file_id'): TranscriptionCall => {
  const { file: labelled, sniffed } = assertFormat(file, TRANSCRIBABLE_TYPES, param);
  return { ...fields, file: labelled, sniffed };
};
