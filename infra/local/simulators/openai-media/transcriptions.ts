/**
 * POST /v1/audio/transcriptions. The transcript is deterministic: one numbered sentence per five seconds of
 * audio, the length read from the file (exact for WAV, declared by FLAC/Ogg/MP4/ADTS, estimated for MP3).
 * `stream: true` streams it word by word for the GPT-4o models (transcript-stream.ts); whisper-1 refuses it.
 */
import { audioDuration } from '../../../../layers/core/media/formats/duration.ts';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { renderSrt, renderVtt } from '../../../../shared/media/transcription/subtitles.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import { Refusal, enumField, modelNotFound, numberField, onlyKnown, refuse, type MediaContext } from './context.ts';
import { sendText, type FormFile } from './io.ts';
import { streamTranscript } from './transcript-stream.ts';
import { TRANSCRIPTION_EXTENSIONS, TRANSCRIPTION_MAX_BYTES, TRANSCRIPTION_MODELS, listOf } from './models.ts';

const SEGMENT_SECONDS = 5;

export const transcriptSegments = (duration: number): { start: number; end: number; text: string }[] =>
  Array.from({ length: Math.max(1, Math.ceil(duration / SEGMENT_SECONDS)) }, (_, i) => ({
    start: i * SEGMENT_SECONDS,
    end: Math.min(duration, (i + 1) * SEGMENT_SECONDS),
    text: ` Sentence ${i + 1} of the simulated transcript.`,
  }));

const checkFile = (file: FormFile | undefined): FormFile => {
  if (!file) return refuse("'file' is a required property", 'file', 'missing_required_parameter');
  if (file.data.length > TRANSCRIPTION_MAX_BYTES) {
    throw new Refusal({ status: 413, message: `Maximum content size limit (${TRANSCRIPTION_MAX_BYTES}) exceeded (${file.data.length} bytes read)`, type: 'server_error', code: null });
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(file.filename)?.[1]?.toLowerCase() ?? '';
  if (!TRANSCRIPTION_EXTENSIONS.includes(extension)) {
    refuse(`Invalid file format. Supported formats: [${listOf(TRANSCRIPTION_EXTENSIONS)}]`, 'file', 'invalid_value');
  }
  if (!sniffMedia(file.data)) refuse('Audio file might be corrupted or unsupported', 'file', 'invalid_value');
  return file;
};

export const handleTranscription = (context: MediaContext, fields: Record<string, string>, files: readonly FormFile[]): void => {
  onlyKnown(fields, ['model', 'language', 'prompt', 'response_format', 'temperature', 'timestamp_granularities[]', 'stream', 'include[]', 'chunking_strategy']);
  if (!fields.model) refuse('you must provide a model parameter', 'model');
  const model = fields.model!;
  const rules = TRANSCRIPTION_MODELS[model] ?? modelNotFound(model);
  const file = checkFile(files.find((f) => f.name === 'file'));
  const format = enumField(fields.response_format, 'response_format', ['json', 'text', 'srt', 'verbose_json', 'vtt']) ?? 'json';
  if (!rules.formats.includes(format)) {
    refuse(`response_format '${format}' is not compatible with model '${model}'. Use ${listOf(rules.formats)} instead.`, 'response_format', 'unsupported_value');
  }
  if (fields.language !== undefined && !/^[a-z]{2,3}$/.test(fields.language)) refuse(`Invalid language '${fields.language}'. Language parameter must be specified in ISO-639-1 format.`, 'language');
  numberField(fields.temperature, 'temperature', 0, 1);
  if (fields['timestamp_granularities[]'] !== undefined && format !== 'verbose_json') {
    refuse('timestamp_granularities requires response_format verbose_json.', 'timestamp_granularities');
  }
  const stream = enumField(fields.stream, 'stream', ['true', 'false']) === 'true';
  if (stream && model === 'whisper-1') refuse('Streaming is not supported for the whisper-1 model.', 'stream', 'unsupported_value');
  const duration = audioDuration(file.data)?.seconds ?? file.data.length / 16_000;
  const segments = transcriptSegments(duration);
  const text = segments.map((s) => s.text).join('').trim();
  const headers = { 'x-request-id': context.requestId };
  const seconds = Math.ceil(duration);
  switch (format) {
    case 'text':
      return sendText(context.res, `${text}\n`, headers);
    case 'srt':
      return sendText(context.res, renderSrt(segments), headers);
    case 'vtt':
      return sendText(context.res, renderVtt(segments), headers);
    case 'verbose_json':
      return sendJson(context.res, 200, {
        task: 'transcribe',
        language: fields.language === undefined || fields.language === 'en' ? 'english' : fields.language,
        duration,
        text,
        segments: segments.map((s, id) => ({ id, seek: 0, start: s.start, end: s.end, text: s.text, tokens: [], temperature: 0, avg_logprob: -0.2, compression_ratio: 1.2, no_speech_prob: 0.01 })),
        usage: { type: 'duration', seconds },
      }, headers);
    default: {
      const outputTokens = Math.ceil(text.length / 4);
      const audioTokens = Math.ceil(duration * 10);
      const usage = model === 'whisper-1'
        ? { type: 'duration', seconds }
        : { type: 'tokens', input_tokens: audioTokens, input_token_details: { text_tokens: 0, audio_tokens: audioTokens }, output_tokens: outputTokens, total_tokens: audioTokens + outputTokens };
      return stream ? streamTranscript(context, text, usage, fields.prompt) : sendJson(context.res, 200, { text, usage }, headers);
    }
  }
};
