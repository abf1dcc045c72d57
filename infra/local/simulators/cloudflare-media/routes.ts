/**
 * Workers AI's `POST /client/v4/accounts/{account_id}/ai/run/{model}` on the cloudflare flavor of the
 * OpenAI-compatible simulator: each model's input (JSON, or raw audio/image bytes) and output (the v4 envelope,
 * or raw bytes for Stable Diffusion and Aura). Errors use the v4 envelope with Workers AI's codes. See README.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sniffMedia } from '../../../../layers/core/media/formats/sniff.ts';
import { sendJson } from '../openai-compatible/http-io.ts';
import type { SimError } from '../openai-compatible/sim-error.ts';
import type { MediaDeps } from '../openai-media/index.ts';
import { sendBytes } from '../openai-media/io.ts';
import { jsonFaultText, jsonObject, runRoute, throwSimError } from '../media-fixtures/compatible-route.ts';
import { AUDIO_CONTENT_TYPES, embeddingFor, pictureFor, seedOf, speechAudio, speechSeconds, transcriptOf } from '../media-fixtures/content.ts';
import {
  AURA_MODEL,
  AURA_OUTPUTS,
  AURA_SPEAKERS,
  CLASSIFICATION_MODELS,
  EMBEDDING_MODELS,
  FLUX_MODELS,
  IMAGENET_LABELS,
  MAX_EMBEDDING_TEXTS,
  MELOTTS_LANGUAGES,
  MELOTTS_MODEL,
  NOVA_MODEL,
  STABLE_DIFFUSION_MODELS,
  WHISPER_MODELS,
  WHISPER_TURBO_MODEL,
} from './models.ts';

const RUN = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(.+)$/;

const badInput = (message: string): SimError => ({ status: 400, message: `AiError: Bad input: ${message}`, code: '5006' });
const ok = (result: unknown) => ({ result, success: true, errors: [], messages: [] });

const isJson = (req: IncomingMessage): boolean => (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');

const audioOf = (req: IncomingMessage, body: Buffer): Uint8Array => {
  // Whisper also takes `{audio: [bytes]}` JSON; every audio model takes the raw bytes.
  if (isJson(req)) {
    const json = jsonObject(body, () => badInput('Type mismatch of \'/audio\''));
    if (!Array.isArray(json['audio'])) return throwSimError(badInput("must have required property 'audio'"));
    return Uint8Array.from(json['audio'] as number[]);
  }
  return new Uint8Array(body);
};

const transcript = (audio: Uint8Array, prompt?: string) => transcriptOf(audio, prompt) ?? throwSimError({ status: 400, message: 'AiError: Invalid audio: unsupported or corrupt audio data', code: '3010' });

const vtt = (words: readonly { word: string; start: number; end: number }[]): string =>
  `WEBVTT\n\n${words.map((word) => `${word.start.toFixed(3)} --> ${word.end.toFixed(3)}\n${word.word}`).join('\n\n')}\n`;

const runModel = (req: IncomingMessage, model: string, body: Buffer, deps: MediaDeps, res: ServerResponse): void => {
  if (model in EMBEDDING_MODELS) {
    const json = jsonObject(body, () => badInput('Type mismatch'));
    deps.record(json);
    const text = json['text'];
    const texts = typeof text === 'string' ? [text] : Array.isArray(text) ? text : undefined;
    if (!texts || texts.length === 0 || texts.some((item) => typeof item !== 'string' || item === '')) return throwSimError(badInput("must have required property 'text'"));
    if (texts.length > MAX_EMBEDDING_TEXTS) return throwSimError(badInput(`'/text' must NOT have more than ${MAX_EMBEDDING_TEXTS} items`));
    const dimensions = EMBEDDING_MODELS[model]!;
    return sendJson(res, 200, ok({ shape: [texts.length, dimensions], data: (texts as string[]).map((item) => embeddingFor(item, dimensions)), pooling: 'mean' }));
  }
  if (FLUX_MODELS.includes(model) || STABLE_DIFFUSION_MODELS.includes(model)) {
    const json = jsonObject(body, () => badInput('Type mismatch'));
    deps.record(json);
    const prompt = json['prompt'];
    if (typeof prompt !== 'string' || prompt.length < 1 || prompt.length > 2048) return throwSimError(badInput("'/prompt' must be a string of 1 to 2048 characters"));
    const seed = typeof json['seed'] === 'number' ? json['seed'] : 0;
    if (FLUX_MODELS.includes(model)) {
      const steps = json['steps'] ?? 4;
      if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > 8) return throwSimError(badInput("'/steps' must be <= 8"));
      return sendJson(res, 200, ok({ image: Buffer.from(pictureFor(`${prompt}#${seed}`, 1024, 1024)).toString('base64') }));
    }
    const side = (name: string): number => {
      const value = json[name] ?? 1024;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 256 || value > 2048) return throwSimError(badInput(`'/${name}' must be an integer from 256 to 2048`));
      return value;
    };
    return sendBytes(res, 'image/png', Buffer.from(pictureFor(`${prompt}#${seed}`, side('width'), side('height'))));
  }
  if (model === MELOTTS_MODEL) {
    const json = jsonObject(body, () => badInput('Type mismatch'));
    deps.record(json);
    const prompt = json['prompt'];
    if (typeof prompt !== 'string' || prompt === '') return throwSimError(badInput("must have required property 'prompt'"));
    const lang = json['lang'] ?? 'en';
    if (typeof lang !== 'string' || !MELOTTS_LANGUAGES.includes(lang)) return throwSimError(badInput(`'/lang' must be one of ${MELOTTS_LANGUAGES.join(', ')}`));
    return sendJson(res, 200, ok({ audio: Buffer.from(speechAudio('mp3', speechSeconds(prompt))).toString('base64') }));
  }
  if (model === AURA_MODEL) {
    const json = jsonObject(body, () => badInput('Type mismatch'));
    deps.record(json);
    const text = json['text'];
    if (typeof text !== 'string' || text === '') return throwSimError(badInput("must have required property 'text'"));
    const speaker = json['speaker'] ?? 'angus';
    if (typeof speaker !== 'string' || !AURA_SPEAKERS.includes(speaker)) return throwSimError(badInput(`'/speaker' must be one of ${AURA_SPEAKERS.join(', ')}`));
    const encoding = typeof json['encoding'] === 'string' ? json['encoding'] : 'mp3';
    const container = typeof json['container'] === 'string' ? json['container'] : encoding === 'linear16' ? 'wav' : encoding === 'opus' ? 'ogg' : 'none';
    const format = AURA_OUTPUTS[encoding]?.[container];
    if (!format) return throwSimError(badInput(`unsupported encoding/container combination ${encoding}/${container}`));
    return sendBytes(res, AUDIO_CONTENT_TYPES[format], Buffer.from(speechAudio(format, speechSeconds(text))));
  }
  if (WHISPER_MODELS.includes(model)) {
    const audio = audioOf(req, body);
    deps.record({ bytes: audio.byteLength, contentType: req.headers['content-type'] });
    const heard = transcript(audio);
    return sendJson(res, 200, ok({ text: heard.text, word_count: heard.words.length, words: heard.words, vtt: vtt(heard.words) }));
  }
  if (model === WHISPER_TURBO_MODEL) {
    const json = jsonObject(body, () => badInput('Type mismatch'));
    deps.record({ ...json, audio: typeof json['audio'] === 'string' ? `<${json['audio'].length} base64 characters>` : json['audio'] });
    if (typeof json['audio'] !== 'string' || json['audio'] === '') return throwSimError(badInput("must have required property 'audio'"));
    const heard = transcript(new Uint8Array(Buffer.from(json['audio'], 'base64')), typeof json['initial_prompt'] === 'string' ? json['initial_prompt'] : undefined);
    const language = typeof json['language'] === 'string' ? json['language'] : 'en';
    const seconds = Math.round(heard.seconds * 1000) / 1000;
    return sendJson(res, 200, ok({
      transcription_info: { language, language_probability: 0.99, duration: seconds, duration_after_vad: seconds },
      text: heard.text,
      word_count: heard.words.length,
      segments: [{ start: 0, end: seconds, text: heard.text, temperature: 0, avg_logprob: -0.2, compression_ratio: 1.1, no_speech_prob: 0.01, words: heard.words }],
      vtt: vtt(heard.words),
    }));
  }
  if (model === NOVA_MODEL) {
    const audio = audioOf(req, body);
    deps.record({ bytes: audio.byteLength, contentType: req.headers['content-type'] });
    const heard = transcript(audio);
    const words = heard.words.map((word) => ({ word: word.word.toLowerCase(), punctuated_word: word.word, start: word.start, end: word.end, confidence: 0.98 }));
    return sendJson(res, 200, ok({ results: { channels: [{ alternatives: [{ transcript: heard.text, confidence: 0.98, words }] }] } }));
  }
  if (CLASSIFICATION_MODELS.includes(model)) {
    deps.record({ bytes: body.length, contentType: req.headers['content-type'] });
    // The raw image, or `{image: [bytes]}` (the cloudflare SDK's form for ResNet-50).
    const json = isJson(req) ? jsonObject(body, () => badInput("Type mismatch of '/image'")) : undefined;
    if (json && !Array.isArray(json['image'])) return throwSimError(badInput("must have required property 'image'"));
    const image = json ? Buffer.from(Uint8Array.from(json['image'] as number[])) : body;
    if (sniffMedia(new Uint8Array(image))?.kind !== 'image') return throwSimError(badInput('Invalid image: could not decode the image data'));
    const seed = seedOf(image.subarray(0, 256).toString('base64'));
    const scores = IMAGENET_LABELS.map((label, index) => ({ label: label.toUpperCase(), score: ((seed >>> index) % 97) / 1000 + (index === seed % IMAGENET_LABELS.length ? 0.6 : 0) }));
    return sendJson(res, 200, ok(scores.sort((a, b) => b.score - a.score).slice(0, 5).map(({ label, score }) => ({ label, score: Number(score.toFixed(4)) }))));
  }
  return throwSimError({ status: 400, message: `No such model ${model} or task`, code: '5007' });
};

export const matchesCloudflareMedia = (url: URL): boolean => RUN.test(url.pathname);

export const handleCloudflareMedia = (req: IncomingMessage, res: ServerResponse, url: URL, deps: MediaDeps): Promise<void> =>
  runRoute(
    req,
    res,
    url,
    deps,
    ({ context, body }) => {
      const [, account = '', model = ''] = RUN.exec(url.pathname) ?? [];
      if (!/^[0-9a-f]{32}$/.test(account)) return throwSimError({ status: 400, message: `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`, code: '7003' });
      if (req.method !== 'POST') return throwSimError({ status: 405, message: 'Method not allowed', code: '10405' });
      runModel(req, decodeURIComponent(model), body, deps, context.res);
    },
    { faultText: (body) => jsonFaultText(body), tooLarge: { status: 413, message: 'Request too large', code: '3006' } },
  );
