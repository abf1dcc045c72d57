/**
 * A loopback Cartesia API for tests and for `npm start` without `CARTESIA_API_KEY`: `POST /tts/bytes` (real MP3,
 * WAV or raw PCM) and batch `POST /stt` (multipart → transcript with duration and word timestamps). Every call
 * needs `Cartesia-Version` and a key (`X-API-Key` or `Authorization: Bearer`). See README.md.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sniffMedia } from '../../../../shared/media/formats/sniff.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';
import { formFile, formText, isRecord, parseJsonBody, parseMultipart, sendBytes, sendJson } from '../media-fixtures/http.ts';
import { speechAudio, speechSeconds, transcriptOf } from '../media-fixtures/content.ts';
import { startStandaloneSimulator, type SimRequest, type StandaloneOptions, type StandaloneSimulator } from '../media-fixtures/standalone.ts';

const VERSIONS = ['2024-06-10', '2024-11-13', '2025-04-16'];
const TTS_MODELS = ['sonic-2', 'sonic-3', 'sonic-turbo', 'sonic-english', 'sonic-multilingual', 'sonic'];
const STT_MODELS = ['ink-whisper'];
/** The languages Sonic speaks (Cartesia's list for sonic-2). */
const TTS_LANGUAGES = ['en', 'fr', 'de', 'es', 'pt', 'zh', 'ja', 'hi', 'it', 'ko', 'nl', 'pl', 'ru', 'sv', 'tr'];
const SAMPLE_RATES = [8000, 16000, 22050, 24000, 44100, 48000];
const PCM_ENCODINGS = ['pcm_s16le', 'pcm_f32le', 'pcm_mulaw', 'pcm_alaw'];
/** Voice ids are UUIDs; this one does not exist, so tests can see Cartesia's refusal. */
export const CARTESIA_MISSING_VOICE = '00000000-0000-0000-0000-000000000000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const error = (res: ServerResponse, status: number, code: string, title: string, message: string, headers?: Record<string, string>): void =>
  sendJson(res, status, { error_code: code, title, message, request_id: randomUUID() }, headers);

const ttsBytes = ({ res, body, record }: SimRequest): void => {
  const json = parseJsonBody(body);
  record(json.ok ? json.value : '<invalid JSON>');
  if (!json.ok || !isRecord(json.value)) return error(res, 400, 'invalid_request', 'Invalid request', 'The request body is not valid JSON.');
  const value = json.value;
  const model = value['model_id'];
  if (typeof model !== 'string' || !TTS_MODELS.includes(model)) return error(res, 400, 'model_not_found', 'Invalid model', 'The model is not valid, make sure it is a valid model ID.');
  if (typeof value['transcript'] !== 'string' || value['transcript'] === '') return error(res, 400, 'invalid_request', 'Invalid request', 'transcript is required.');
  const voice = isRecord(value['voice']) ? value['voice'] : {};
  if (voice['mode'] !== 'id' || typeof voice['id'] !== 'string' || !UUID.test(voice['id'])) return error(res, 400, 'invalid_request', 'Invalid voice', 'voice must be {mode: "id", id: <voice UUID>}.');
  if (voice['id'] === CARTESIA_MISSING_VOICE) return error(res, 404, 'voice_not_found', 'Voice not found', `Voice ${voice['id']} was not found.`);
  const language = value['language'];
  if (language !== undefined && (typeof language !== 'string' || !TTS_LANGUAGES.includes(language))) return error(res, 400, 'invalid_request', 'Invalid language', `language must be one of ${TTS_LANGUAGES.join(', ')}.`);
  const output = isRecord(value['output_format']) ? value['output_format'] : {};
  const rate = output['sample_rate'];
  if (typeof rate !== 'number' || !SAMPLE_RATES.includes(rate)) return error(res, 400, 'invalid_request', 'Invalid output format', `sample_rate must be one of ${SAMPLE_RATES.join(', ')}.`);
  const config = isRecord(value['generation_config']) ? value['generation_config'] : {};
  const speed = config['speed'] ?? 1;
  if (typeof speed !== 'number' || speed < 0.6 || speed > 1.5) return error(res, 400, 'invalid_request', 'Invalid generation config', 'generation_config.speed must be between 0.6 and 1.5.');
  const seconds = speechSeconds(value['transcript'], speed);
  switch (output['container']) {
    case 'mp3':
      return sendBytes(res, 'audio/mpeg', speechAudio('mp3', seconds));
    case 'wav':
    case 'raw': {
      if (output['encoding'] !== 'pcm_s16le') {
        const known = typeof output['encoding'] === 'string' && PCM_ENCODINGS.includes(output['encoding']);
        return error(res, 400, 'invalid_request', 'Invalid output format', known ? 'The simulator renders pcm_s16le only.' : `encoding must be one of ${PCM_ENCODINGS.join(', ')}.`);
      }
      const wav = output['container'] === 'wav';
      return sendBytes(res, wav ? 'audio/wav' : 'application/octet-stream', speechAudio(wav ? 'wav' : 'pcm', seconds, rate));
    }
    default:
      return error(res, 400, 'invalid_request', 'Invalid output format', 'output_format.container must be raw, wav or mp3.');
  }
};

const stt = async ({ req, res, body, record }: SimRequest): Promise<void> => {
  const form = await parseMultipart(body, req.headers['content-type']);
  if (!form) return error(res, 400, 'invalid_request', 'Invalid request', 'Expected a multipart/form-data body.');
  const file = await formFile(form, 'file');
  const granularities = form.getAll('timestamp_granularities[]').filter((item): item is string => typeof item === 'string');
  record({ model: formText(form, 'model'), language: formText(form, 'language'), timestamp_granularities: granularities, file: file ? { name: file.name, type: file.type, bytes: file.data.byteLength } : undefined });
  const model = formText(form, 'model');
  if (!model || !STT_MODELS.includes(model)) return error(res, 400, 'model_not_found', 'Invalid model', 'The model is not valid, make sure it is a valid model ID.');
  if (!file) return error(res, 400, 'invalid_request', 'Invalid request', 'file is required.');
  const kind = sniffMedia(file.data)?.kind;
  const heard = kind === 'audio' || kind === 'video' ? transcriptOf(file.data) : undefined;
  if (!heard) return error(res, 400, 'invalid_audio', 'Invalid audio', 'The audio file could not be decoded.');
  sendJson(res, 200, {
    type: 'transcript',
    request_id: randomUUID(),
    text: heard.text,
    language: formText(form, 'language') ?? 'en',
    duration: Math.round(heard.seconds * 1000) / 1000,
    ...(granularities.includes('word') ? { words: heard.words } : {}),
  });
};

export const startCartesiaSimulator = (options: StandaloneOptions = {}): Promise<StandaloneSimulator> => {
  const faults = new FaultLatch();
  return startStandaloneSimulator('cartesia', options, {
    fail: (res, status) => (status === 413 ? error(res, 413, 'payload_too_large', 'Payload too large', 'The request is too large.') : error(res, 500, 'internal_error', 'Internal error', 'An internal error occurred.')),
    handle: async (request) => {
      const { req, res, url } = request;
      const route = `${req.method} ${url.pathname}`;
      if (route !== 'POST /tts/bytes' && route !== 'POST /stt') return error(res, 404, 'not_found', 'Not found', `No route for ${route}.`);
      const key = (req.headers['x-api-key'] as string | undefined) ?? /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (!key) return error(res, 401, 'api_key_missing', 'Unauthorized', 'Missing API key: send X-API-Key or Authorization: Bearer.');
      if (options.apiKey !== undefined && key !== options.apiKey) return error(res, 401, 'invalid_api_key', 'Unauthorized', 'Invalid API key.');
      const version = req.headers['cartesia-version'];
      if (typeof version !== 'string' || !VERSIONS.includes(version)) return error(res, 400, 'invalid_version', 'Invalid version', `Cartesia-Version must be one of ${VERSIONS.join(', ')}.`);
      const fault = faults.check(req, `${route}\0${request.body.length}`);
      if (fault) {
        const headers = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
        return fault.status === 429
          ? error(res, 429, 'rate_limited', 'Too many requests', 'You have exceeded your concurrency limit.', headers)
          : error(res, fault.status, 'simulated_error', 'Simulated error', `Simulated ${fault.status} error.`, headers);
      }
      return url.pathname === '/tts/bytes' ? ttsBytes(request) : stt(request);
    },
  });
};
