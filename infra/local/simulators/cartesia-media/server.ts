/**
 * A loopback Cartesia API for tests and for `npm start` without `CARTESIA_API_KEY`: `POST /tts/bytes` (real MP3,
 * WAV or raw PCM), `POST /tts/sse` (raw PCM as base64 `chunk` events, then `done`) and batch `POST /stt`
 * (multipart → transcript with duration and word timestamps). Every call needs `Cartesia-Version` and a key
 * (`Authorization: Bearer`, as @cartesia/cartesia-js sends it, or the older `X-API-Key`). See README.md.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';
import { formFile, formText, isRecord, parseJsonBody, parseMultipart, sendBytes, sendJson } from '../media-fixtures/http.ts';
import { speechAudio, speechSeconds, transcriptOf } from '../media-fixtures/content.ts';
import { startStandaloneSimulator, type SimRequest, type StandaloneOptions, type StandaloneSimulator } from '../media-fixtures/standalone.ts';

/** The versions the simulator speaks; 2026-08-14 is the one @cartesia/cartesia-js 4.2 pins. */
const VERSIONS = ['2024-11-13', '2025-04-16', '2026-08-14'];
/** The SDK's `TTSModel` list (4.2 dropped sonic-2 and the older Sonic names). */
const TTS_MODELS = ['sonic-3.5', 'sonic-3', 'sonic-3.5-2026-05-04', 'sonic-3-2026-01-12', 'sonic-3-2025-10-27', 'sonic-latest'];
const DEPRECATED_SPEEDS = ['slow', 'normal', 'fast'];
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

interface TtsBody {
  readonly value: Record<string, unknown>;
  readonly output: Record<string, unknown>;
  readonly rate: number;
  readonly seconds: number;
}

/** Validates what `/tts/bytes` and `/tts/sse` share; undefined once the refusal is sent. */
const ttsBody = ({ res, body, record }: SimRequest): TtsBody | undefined => {
  const json = parseJsonBody(body);
  record(json.ok ? json.value : '<invalid JSON>');
  if (!json.ok || !isRecord(json.value)) return void error(res, 400, 'invalid_request', 'Invalid request', 'The request body is not valid JSON.');
  const value = json.value;
  const model = value['model_id'];
  if (typeof model !== 'string' || !TTS_MODELS.includes(model)) return void error(res, 400, 'model_not_found', 'Invalid model', 'The model is not valid, make sure it is a valid model ID.');
  if (typeof value['transcript'] !== 'string' || value['transcript'] === '') return void error(res, 400, 'invalid_request', 'Invalid request', 'transcript is required.');
  const voice = isRecord(value['voice']) ? value['voice'] : {};
  if (voice['mode'] !== 'id' || typeof voice['id'] !== 'string' || !UUID.test(voice['id'])) return void error(res, 400, 'invalid_request', 'Invalid voice', 'voice must be {mode: "id", id: <voice UUID>}.');
  if (voice['id'] === CARTESIA_MISSING_VOICE) return void error(res, 404, 'voice_not_found', 'Voice not found', `Voice ${voice['id']} was not found.`);
  const language = value['language'];
  if (language !== undefined && (typeof language !== 'string' || !TTS_LANGUAGES.includes(language))) return void error(res, 400, 'invalid_request', 'Invalid language', `language must be one of ${TTS_LANGUAGES.join(', ')}.`);
  const output = isRecord(value['output_format']) ? value['output_format'] : {};
  const rate = output['sample_rate'];
  if (typeof rate !== 'number' || !SAMPLE_RATES.includes(rate)) return void error(res, 400, 'invalid_request', 'Invalid output format', `sample_rate must be one of ${SAMPLE_RATES.join(', ')}.`);
  const config = isRecord(value['generation_config']) ? value['generation_config'] : {};
  // generation_config is read by the sonic-3 line only; earlier models ignore it (the SDK's GenerationConfig docs).
  const speed = model.startsWith('sonic-3') || model === 'sonic-latest' ? (config['speed'] ?? 1) : 1;
  if (typeof speed !== 'number' || speed < 0.6 || speed > 1.5) return void error(res, 400, 'invalid_request', 'Invalid generation config', 'generation_config.speed must be between 0.6 and 1.5.');
  const legacy = value['speed'];
  if (legacy !== undefined && (typeof legacy !== 'string' || !DEPRECATED_SPEEDS.includes(legacy))) return void error(res, 400, 'invalid_request', 'Invalid speed', `speed must be one of ${DEPRECATED_SPEEDS.join(', ')}.`);
  return { value, output, rate, seconds: speechSeconds(value['transcript'], speed) };
};

const ttsBytes = (request: SimRequest): void => {
  const tts = ttsBody(request);
  if (!tts) return;
  const { res } = request;
  const { output, rate, seconds } = tts;
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

/** Raw PCM only (the SDK's SSE output format), in base64 `chunk` events of about 0.1 s, then `done`. */
const ttsSse = (request: SimRequest): void => {
  const tts = ttsBody(request);
  if (!tts) return;
  const { res } = request;
  const { value, output, rate, seconds } = tts;
  if (output['container'] !== 'raw') return error(res, 400, 'invalid_request', 'Invalid output format', 'output_format.container must be raw for /tts/sse.');
  if (output['encoding'] !== 'pcm_s16le') return error(res, 400, 'invalid_request', 'Invalid output format', 'The simulator renders pcm_s16le only.');
  const pcm = speechAudio('pcm', seconds, rate);
  const contextId = typeof value['context_id'] === 'string' ? { context_id: value['context_id'] } : {};
  const step = Math.max(2, Math.floor(rate / 10) * 2);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (let offset = 0; offset < pcm.length; offset += step) {
    const data = Buffer.from(pcm.subarray(offset, offset + step)).toString('base64');
    res.write(`event: chunk\ndata: ${JSON.stringify({ type: 'chunk', data, done: false, status_code: 206, step_time: 1, ...contextId })}\n\n`);
  }
  if (value['add_timestamps'] === true) {
    const words = String(value['transcript']).split(/\s+/).filter(Boolean);
    const each = seconds / Math.max(1, words.length);
    const word_timestamps = { words, start: words.map((_, i) => i * each), end: words.map((_, i) => (i + 1) * each) };
    res.write(`event: timestamps\ndata: ${JSON.stringify({ type: 'timestamps', word_timestamps, done: false, status_code: 206, ...contextId })}\n\n`);
  }
  res.end(`event: done\ndata: ${JSON.stringify({ type: 'done', done: true, status_code: 200, ...contextId })}\n\n`);
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
      if (route !== 'POST /tts/bytes' && route !== 'POST /tts/sse' && route !== 'POST /stt') return error(res, 404, 'not_found', 'Not found', `No route for ${route}.`);
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
      if (url.pathname === '/tts/bytes') return ttsBytes(request);
      return url.pathname === '/tts/sse' ? ttsSse(request) : stt(request);
    },
  });
};
