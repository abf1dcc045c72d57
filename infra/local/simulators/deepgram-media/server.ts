/**
 * A loopback Deepgram API for tests and for `npm start` without `DEEPGRAM_API_KEY`: pre-recorded
 * `POST /v1/listen` (raw audio → transcript JSON with the measured duration) and `POST /v1/speak` (`{text}` →
 * real audio bytes). Key as `Authorization: Token <key>`. See README.md.
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';
import { isRecord, parseJsonBody, sendBytes, sendJson } from '../media-fixtures/http.ts';
import { AUDIO_CONTENT_TYPES, speechAudio, speechSeconds, transcriptOf, type SimAudioFormat } from '../media-fixtures/content.ts';
import { startStandaloneSimulator, type SimRequest, type StandaloneOptions, type StandaloneSimulator } from '../media-fixtures/standalone.ts';

const LISTEN_MODELS = /^(?:nova-3|nova-2|nova|enhanced|base|whisper)(?:-[a-z]+)*$/;
const AURA_2_VOICES = ['thalia', 'andromeda', 'helena', 'apollo', 'arcas', 'aries', 'asteria', 'luna', 'orion', 'zeus', 'amalthea', 'athena', 'hera', 'orpheus'];
const AURA_1_VOICES = ['asteria', 'luna', 'stella', 'athena', 'hera', 'orion', 'arcas', 'perseus', 'angus', 'orpheus', 'helios', 'zeus'];
const MAX_SPEAK_CHARACTERS = 2000;

/** encoding → container → what the simulator writes (Deepgram's documented combinations). */
const SPEAK_OUTPUTS: Readonly<Record<string, Readonly<Record<string, SimAudioFormat>>>> = {
  mp3: { none: 'mp3' },
  linear16: { wav: 'wav', none: 'pcm' },
  opus: { ogg: 'opus' },
  flac: { none: 'flac' },
  aac: { none: 'aac' },
};

const legacyError = (res: ServerResponse, status: number, code: string, message: string, requestId: string): void =>
  sendJson(res, status, { err_code: code, err_msg: message, request_id: requestId });

const categoryError = (res: ServerResponse, status: number, category: string, message: string, details: string, requestId: string): void =>
  sendJson(res, status, { category, message, details, request_id: requestId });

const faultAnswer = (res: ServerResponse, status: number, retryAfter: number | undefined, requestId: string): void => {
  const headers = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : undefined;
  if (status === 429) return void sendJson(res, 429, { err_code: 'TOO_MANY_REQUESTS', err_msg: 'Too many requests. Please try again later', request_id: requestId }, headers);
  sendJson(res, status, { err_code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'Bad Request', err_msg: `Simulated ${status} error.`, request_id: requestId }, headers);
};

const listen = ({ req, res, url, body, requestId, record }: SimRequest): void => {
  const query = Object.fromEntries(url.searchParams);
  const model = query['model'] ?? 'base';
  if (!LISTEN_MODELS.test(model)) return legacyError(res, 400, 'Bad Request', 'No such model/language/tier combination found.', requestId);
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    const json = parseJsonBody(body);
    record(json.ok ? json.value : '<invalid JSON>');
    if (!json.ok || !isRecord(json.value) || typeof json.value['url'] !== 'string') {
      return categoryError(res, 400, 'INVALID_JSON', 'Invalid JSON submitted.', 'Json deserialize error: missing field `url`', requestId);
    }
    return legacyError(res, 400, 'REMOTE_CONTENT_ERROR', 'The simulator does not fetch remote audio; send the audio as the request body.', requestId);
  }
  const audio = new Uint8Array(body);
  const heard = sniffMedia(audio)?.kind === 'audio' || sniffMedia(audio)?.kind === 'video' ? transcriptOf(audio) : undefined;
  if (!heard) return legacyError(res, 400, 'Bad Request', 'Bad Request: failed to process audio: corrupt or unsupported data', requestId);
  const smart = query['smart_format'] === 'true' || query['punctuate'] === 'true';
  const words = heard.words.map((word) => ({ word: word.word.toLowerCase().replace(/[.,]/g, ''), start: word.start, end: word.end, confidence: 0.98, ...(smart ? { punctuated_word: word.word } : {}) }));
  const transcript = smart ? heard.text : heard.text.toLowerCase().replace(/[.,]/g, '');
  const seconds = Math.round(heard.seconds * 1000) / 1000;
  sendJson(res, 200, {
    metadata: { transaction_key: 'deprecated', request_id: randomUUID(), sha256: 'sim', created: new Date().toISOString(), duration: seconds, channels: 1, models: [randomUUID()], model_info: {} },
    results: {
      channels: [{ ...(query['detect_language'] === 'true' ? { detected_language: 'en', language_confidence: 0.99 } : {}), alternatives: [{ transcript, confidence: 0.98, words }] }],
      ...(query['utterances'] === 'true' ? { utterances: [{ start: 0, end: seconds, confidence: 0.98, channel: 0, transcript, words, speaker: 0, id: randomUUID() }] } : {}),
    },
  });
};

const speak = ({ res, url, body, requestId, record }: SimRequest): void => {
  const json = parseJsonBody(body);
  record(json.ok ? json.value : '<invalid JSON>');
  if (!json.ok || !isRecord(json.value) || typeof json.value['text'] !== 'string') {
    return categoryError(res, 400, 'INVALID_JSON', 'Invalid JSON submitted.', 'Json deserialize error: missing field `text`', requestId);
  }
  const text = json.value['text'];
  if (text.trim() === '') return legacyError(res, 400, 'Bad Request', 'Text is empty.', requestId);
  if (text.length > MAX_SPEAK_CHARACTERS) return legacyError(res, 413, 'Bad Request', `Input text exceeds the maximum of ${MAX_SPEAK_CHARACTERS} characters.`, requestId);
  const model = url.searchParams.get('model') ?? 'aura-asteria-en';
  const aura = /^aura-(2-)?([a-z]+)-([a-z]{2})$/.exec(model);
  const known = aura && (aura[1] ? AURA_2_VOICES : AURA_1_VOICES).includes(aura[2] ?? '');
  if (!known) return categoryError(res, 400, 'INVALID_QUERY_PARAMETER', 'Failed to resolve the requested model.', `No such model: ${model}`, requestId);
  const encoding = url.searchParams.get('encoding') ?? 'mp3';
  const container = url.searchParams.get('container') ?? (encoding === 'linear16' ? 'wav' : encoding === 'opus' ? 'ogg' : 'none');
  const format = SPEAK_OUTPUTS[encoding]?.[container];
  if (!format) return categoryError(res, 400, 'UNSUPPORTED_AUDIO_FORMAT', 'Unsupported audio format.', `encoding=${encoding} with container=${container} is not supported`, requestId);
  const audio = speechAudio(format, speechSeconds(text));
  sendBytes(res, AUDIO_CONTENT_TYPES[format], audio, { 'dg-request-id': requestId, 'dg-model-name': model, 'dg-char-count': String(text.length) });
};

export const startDeepgramSimulator = (options: StandaloneOptions = {}): Promise<StandaloneSimulator> => {
  const faults = new FaultLatch();
  return startStandaloneSimulator('deepgram', options, {
    fail: (res, status, requestId) =>
      status === 413 ? legacyError(res, 413, 'PAYLOAD_TOO_LARGE', 'Payload too large.', requestId) : legacyError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.', requestId),
    handle: (request) => {
      const { req, res, url, requestId } = request;
      const route = `${req.method} ${url.pathname}`;
      if (route !== 'POST /v1/listen' && route !== 'POST /v1/speak') return legacyError(res, 404, 'NOT_FOUND', `Not found: ${route}`, requestId);
      const key = /^(?:Token|Bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const expected = options.apiKey;
      if (!key || (expected !== undefined && key !== expected)) return legacyError(res, 401, 'INVALID_AUTH', 'Invalid credentials.', requestId);
      const fault = faults.check(req, `${route}\0${url.search}\0${request.body.length}`);
      if (fault) return faultAnswer(res, fault.status, fault.retryAfterSeconds, requestId);
      return url.pathname === '/v1/listen' ? listen(request) : speak(request);
    },
  });
};
