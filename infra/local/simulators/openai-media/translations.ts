/**
 * POST /v1/audio/translations: speech in any language to English text. OpenAI serves it with whisper-1 only,
 * takes no `language` and no `stream`, and answers in the transcription formats. The text is deterministic:
 * one numbered sentence per five seconds of audio, as the transcription simulator does.
 */
import { audioDuration } from '../../../../layers/core/media/formats/duration.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { renderSrt, renderVtt } from '../../../../shared/media/transcription/subtitles.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import { Refusal, enumField, modelNotFound, numberField, onlyKnown, refuse, type MediaContext } from './context.ts';
import { sendText, type FormFile } from './io.ts';
import { TRANSCRIPTION_EXTENSIONS, TRANSCRIPTION_MAX_BYTES, TRANSCRIPTION_MODELS, listOf } from './models.ts';

const SEGMENT_SECONDS = 5;

/** The translation of the simulated audio: what the tests expect back. */
export const translationSegments = (duration: number): { start: number; end: number; text: string }[] =>
  Array.from({ length: Math.max(1, Math.ceil(duration / SEGMENT_SECONDS)) }, (_, i) => ({
    start: i * SEGMENT_SECONDS,
    end: Math.min(duration, (i + 1) * SEGMENT_SECONDS),
    text: ` Sentence ${i + 1} of the simulated translation.`,
  }));

const checkFile = (file: FormFile | undefined): FormFile => {
  if (!file) return refuse("'file' is a required property", 'file', 'missing_required_parameter');
  if (file.data.length > TRANSCRIPTION_MAX_BYTES) {
    throw new Refusal({ status: 413, message: `Maximum content size limit (${TRANSCRIPTION_MAX_BYTES}) exceeded (${file.data.length} bytes read)`, type: 'server_error', code: null });
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.filename)?.[1]?.toLowerCase() ?? '';
  if (!TRANSCRIPTION_EXTENSIONS.includes(extension)) refuse(`Invalid file format. Supported formats: [${listOf(TRANSCRIPTION_EXTENSIONS)}]`, 'file', 'invalid_value');
  if (!sniffMedia(file.data)) refuse('Audio file might be corrupted or unsupported', 'file', 'invalid_value');
  return file;
};

export const handleTranslation = (context: MediaContext, fields: Record<string, string>, files: readonly FormFile[]): void => {
  onlyKnown(fields, ['model', 'prompt', 'response_format', 'temperature']);
  if (!fields.model) refuse('you must provide a model parameter', 'model');
  const model = fields.model!;
  if (!TRANSCRIPTION_MODELS[model]) modelNotFound(model);
  if (model !== 'whisper-1') refuse(`The model '${model}' does not support translations. Use whisper-1 instead.`, 'model', 'unsupported_value');
  const file = checkFile(files.find((f) => f.name === 'file'));
  const format = enumField(fields.response_format, 'response_format', ['json', 'text', 'srt', 'verbose_json', 'vtt']) ?? 'json';
  numberField(fields.temperature, 'temperature', 0, 1);
  const duration = audioDuration(file.data)?.seconds ?? file.data.length / 16_000;
  const segments = translationSegments(duration);
  const text = segments.map((s) => s.text).join('').trim();
  const headers = { 'x-request-id': context.requestId };
  switch (format) {
    case 'text':
      return sendText(context.res, `${text}\n`, headers);
    case 'srt':
      return sendText(context.res, renderSrt(segments), headers);
    case 'vtt':
      return sendText(context.res, renderVtt(segments), headers);
    case 'verbose_json':
      return sendJson(context.res, 200, {
        task: 'translate',
        language: 'english',
        duration,
        text,
        segments: segments.map((s, id) => ({ id, seek: 0, start: s.start, end: s.end, text: s.text, tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1.2, no_speech_prob: 0.01 })),
      }, headers);
    default:
      return sendJson(context.res, 200, { text }, headers);
  }
};
