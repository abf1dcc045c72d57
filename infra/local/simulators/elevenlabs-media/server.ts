/**
 * A loopback ElevenLabs API for tests and for `npm start` without `ELEVENLABS_API_KEY`: text-to-speech
 * (`POST /v1/text-to-speech/{voice_id}` → real audio bytes) and Scribe speech-to-text (`POST /v1/speech-to-text`,
 * multipart → words with timings). Key in `xi-api-key`. See README.md.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';
import { formFile, formText, isRecord, parseJsonBody, parseMultipart, sendBytes, sendJson } from '../media-fixtures/http.ts';
import { AUDIO_CONTENT_TYPES, speechAudio, speechSeconds, transcriptOf, type SimAudioFormat } from '../media-fixtures/content.ts';
import { startStandaloneSimulator, type SimRequest, type StandaloneOptions, type StandaloneSimulator } from '../media-fixtures/standalone.ts';

/** Premade voices every account has (ElevenLabs' voice library ids). */
export const ELEVENLABS_SIM_VOICES = ['JBFqnCBsd6RMkjVDRZzb', '21m00Tcm4TlvDq8ikWAM', 'EXAVITQu4vr4xnSDxMaL', 'pNInz6obpgDQGcFmaJgB'];
const TTS_MODELS: Readonly<Record<string, number>> = { eleven_multilingual_v2: 10_000, eleven_flash_v2_5: 40_000, eleven_turbo_v2_5: 40_000, eleven_v3: 3_000, eleven_monolingual_v1: 10_000 };
const STT_MODELS = ['scribe_v1', 'scribe_v1_experimental', 'scribe_v2'];
/** Models that enforce a `language_code` (ElevenLabs refuses one on the others). */
const LANGUAGE_MODELS = ['eleven_flash_v2_5', 'eleven_turbo_v2_5'];
const TTS_ROUTE = /^\/v1\/text-to-speech\/([^/]+)(\/stream)?$/;

/** `output_format` → what the simulator writes, with its sample rate. */
const OUTPUT_FORMATS: Readonly<Record<string, { readonly format: SimAudioFormat; readonly sampleRate?: number }>> = {
  mp3_22050_32: { format: 'mp3' },
  mp3_44100_32: { format: 'mp3' },
  mp3_44100_64: { format: 'mp3' },
  mp3_44100_96: { format: 'mp3' },
  mp3_44100_128: { format: 'mp3' },
  mp3_44100_192: { format: 'mp3' },
  pcm_16000: { format: 'pcm', sampleRate: 16_000 },
  pcm_22050: { format: 'pcm', sampleRate: 22_050 },
  pcm_24000: { format: 'pcm', sampleRate: 24_000 },
  pcm_44100: { format: 'pcm', sampleRate: 44_100 },
  opus_48000_64: { format: 'opus' },
  opus_48000_128: { format: 'opus' },
};

const detailError = (res: ServerResponse, httpStatus: number, status: string, message: string): void => sendJson(res, httpStatus, { detail: { status, message } });
const validationError = (res: ServerResponse, loc: readonly (string | number)[], msg: string, type = 'value_error'): void =>
  sendJson(res, 422, { detail: [{ type, loc, msg, input: null }] });

const textToSpeech = ({ res, url, body, requestId, record }: SimRequest, voice: string): void => {
  const json = parseJsonBody(body);
  record(json.ok ? json.value : '<invalid JSON>');
  if (!json.ok || !isRecord(json.value)) return validationError(res, ['body'], 'JSON decode error', 'json_invalid');
  const value = json.value;
  if (!ELEVENLABS_SIM_VOICES.includes(voice)) return detailError(res, 400, 'voice_not_found', `A voice with the voice_id ${voice} was not found.`);
  if (typeof value['text'] !== 'string' || value['text'] === '') return validationError(res, ['body', 'text'], 'Field required', 'missing');
  const model = typeof value['model_id'] === 'string' ? value['model_id'] : 'eleven_multilingual_v2';
  const limit = TTS_MODELS[model];
  if (limit === undefined) return detailError(res, 400, 'model_not_found', `A model with model ID ${model} does not exist or is not available for text to speech.`);
  if (value['text'].length > limit) return detailError(res, 400, 'max_character_limit_exceeded', `Text is too long: ${model} accepts at most ${limit} characters.`);
  const language = value['language_code'];
  if (language !== undefined && language !== null) {
    if (typeof language !== 'string' || !/^[a-z]{2}$/.test(language)) return validationError(res, ['body', 'language_code'], 'Input should be an ISO 639-1 language code', 'string_pattern_mismatch');
    if (!LANGUAGE_MODELS.includes(model)) return detailError(res, 400, 'unsupported_language', `Model ${model} does not support language enforcement; use one of ${LANGUAGE_MODELS.join(', ')}.`);
  }
  const outputFormat = url.searchParams.get('output_format') ?? 'mp3_44100_128';
  const output = OUTPUT_FORMATS[outputFormat];
  if (!output) return validationError(res, ['query', 'output_format'], `Input should be one of ${Object.keys(OUTPUT_FORMATS).join(', ')}`, 'enum');
  const settings = isRecord(value['voice_settings']) ? value['voice_settings'] : {};
  const speed = settings['speed'] ?? 1;
  if (typeof speed !== 'number' || speed < 0.7 || speed > 1.2) return validationError(res, ['body', 'voice_settings', 'speed'], 'Input should be between 0.7 and 1.2', 'less_than_equal');
  const audio = speechAudio(output.format, speechSeconds(value['text'], speed), output.sampleRate);
  sendBytes(res, AUDIO_CONTENT_TYPES[output.format], audio, { 'request-id': requestId, 'history-item-id': randomUUID().replace(/-/g, '').slice(0, 20), 'x-character-count': String(value['text'].length) });
};

const speechToText = async ({ req, res, body, record }: SimRequest): Promise<void> => {
  const form = await parseMultipart(body, req.headers['content-type']);
  if (!form) return validationError(res, ['body'], 'Expected multipart/form-data', 'model_attributes_type');
  const file = await formFile(form, 'file');
  record({ ...Object.fromEntries([...form.entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string')), file: file ? { name: file.name, type: file.type, bytes: file.data.byteLength } : undefined });
  const model = formText(form, 'model_id');
  if (!model) return validationError(res, ['body', 'model_id'], 'Field required', 'missing');
  if (!STT_MODELS.includes(model)) return detailError(res, 400, 'invalid_model_id', `Model ${model} is not a speech-to-text model.`);
  if (!file) return detailError(res, 400, 'invalid_parameters', 'Either file or cloud_storage_url must be provided.');
  const kind = sniffMedia(file.data)?.kind;
  const heard = kind === 'audio' || kind === 'video' ? transcriptOf(file.data) : undefined;
  if (!heard) return detailError(res, 400, 'invalid_content', 'The uploaded file could not be decoded as audio or video.');
  const granularity = formText(form, 'timestamps_granularity') ?? 'word';
  const words = granularity === 'none' ? undefined : heard.words.flatMap((word, index) => [
    ...(index > 0 ? [{ text: ' ', type: 'spacing', start: word.start, end: word.start, speaker_id: 'speaker_0', logprob: 0 }] : []),
    { text: word.word, type: 'word', start: word.start, end: word.end, speaker_id: 'speaker_0', logprob: -0.05 },
  ]);
  sendJson(res, 200, { language_code: formText(form, 'language_code') ?? 'eng', language_probability: 0.98, text: heard.text, ...(words ? { words } : {}), transcription_id: randomUUID() });
};

export const startElevenLabsSimulator = (options: StandaloneOptions = {}): Promise<StandaloneSimulator> => {
  const faults = new FaultLatch();
  return startStandaloneSimulator('elevenlabs', options, {
    fail: (res, status) => (status === 413 ? detailError(res, 413, 'payload_too_large', 'The request is too large.') : detailError(res, 500, 'internal_error', 'An internal error occurred.')),
    handle: async (request) => {
      const { req, res, url } = request;
      const tts = TTS_ROUTE.exec(url.pathname);
      if (req.method !== 'POST' || (!tts && url.pathname !== '/v1/speech-to-text')) return sendJson(res, 404, { detail: 'Not Found' });
      const key = req.headers['xi-api-key'];
      if (typeof key !== 'string' || key === '') return detailError(res, 401, 'needs_authorization', 'Neither authorization header nor xi-api-key received, please provide one.');
      if (options.apiKey !== undefined && key !== options.apiKey) return detailError(res, 401, 'invalid_api_key', 'Invalid API key');
      const fault = faults.check(req, `${url.pathname}\0${url.search}\0${request.body.length}`);
      if (fault) {
        const headers = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
        return fault.status === 429
          ? sendJson(res, 429, { detail: { status: 'too_many_concurrent_requests', message: 'Too many concurrent requests.' } }, headers)
          : sendJson(res, fault.status, { detail: { status: 'simulated_error', message: `Simulated ${fault.status} error.` } }, headers);
      }
      return tts ? textToSpeech(request, decodeURIComponent(tts[1] ?? '')) : speechToText(request);
    },
  });
};
