/**
 * POST /v1/audio/speech. Real audio in every format OpenAI offers, as long as the text would take to say
 * (~15 characters a second at speed 1): a quiet tone for WAV and PCM (24 kHz, 16-bit mono, as OpenAI's),
 * valid silent frames for MP3, Opus, AAC and FLAC. `midstream-drop` (header or `SIM_FAULT=` in the input) closes
 * the connection after the first chunk of audio; `chunk-delay:<ms>` sends it 4 KiB at a time, that far apart.
 * `stream_format: "sse"` (not for tts-1 or tts-1-hd, as OpenAI documents) sends the audio as base64
 * `speech.audio.delta` events and ends with `speech.audio.done` carrying the token usage.
 */
import { wavFromPcm } from '../../../../layers/core/media/formats/wav.ts';
import { silentAac } from './encode/aac.ts';
import { silentFlac } from './encode/flac.ts';
import { silentMp3 } from './encode/mp3.ts';
import { silentOggOpus } from './encode/ogg-opus.ts';
import { tonePcm } from './encode/tone.ts';
import { faultSpecs, parseFaults } from '../openai-compatible/faults.ts';
import { enumField, modelNotFound, numberField, onlyKnown, refuse, type MediaContext } from './context.ts';
import { sendBytes } from './io.ts';
import { SPEECH_FORMATS, SPEECH_MODELS, listOf } from './models.ts';

const MAX_INPUT = 4096;
const CHARACTERS_PER_SECOND = 15;
const SAMPLE_RATE = 24_000;

const ENCODERS: Readonly<Record<(typeof SPEECH_FORMATS)[number], { readonly type: string; readonly encode: (seconds: number) => Buffer }>> = {
  mp3: { type: 'audio/mpeg', encode: silentMp3 },
  opus: { type: 'audio/opus', encode: silentOggOpus },
  aac: { type: 'audio/aac', encode: silentAac },
  flac: { type: 'audio/flac', encode: silentFlac },
  wav: { type: 'audio/wav', encode: (s) => Buffer.from(wavFromPcm(tonePcm(s, SAMPLE_RATE), { sampleRate: SAMPLE_RATE, channels: 1, bitsPerSample: 16 })) },
  pcm: { type: 'audio/pcm', encode: (s) => tonePcm(s, SAMPLE_RATE) },
};

/** Seconds the simulated voice takes to say `input` at `speed`. */
export const spokenSeconds = (input: string, speed: number): number => Math.max(0.5, input.length / CHARACTERS_PER_SECOND / speed);

const sendSlowly = async (res: MediaContext['res'], audio: Uint8Array, delayMs: number): Promise<void> => {
  for (let at = 0; at < audio.length && !res.destroyed; at += 4096) {
    res.write(audio.subarray(at, at + 4096));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  res.end();
};

/** OpenAI's speech SSE: the audio in base64 deltas of 4 KiB, then the usage (input tokens ~ 4 characters each). */
const sendSpeechEvents = (context: MediaContext, audio: Uint8Array, input: string): void => {
  const { res } = context;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-request-id': context.requestId });
  for (let at = 0; at < audio.length; at += 4096) {
    res.write(`data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from(audio.subarray(at, at + 4096)).toString('base64') })}\n\n`);
  }
  const inputTokens = Math.max(1, Math.ceil(input.length / 4));
  const outputTokens = Math.ceil(audio.length / 64);
  const usage = { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
  res.end(`data: ${JSON.stringify({ type: 'speech.audio.done', usage })}\n\n`);
};

export const handleSpeech = (context: MediaContext, body: Record<string, unknown>): void => {
  onlyKnown(body, ['model', 'input', 'voice', 'instructions', 'response_format', 'speed', 'stream_format']);
  if (typeof body.model !== 'string' || body.model === '') refuse('you must provide a model parameter', 'model');
  const model = body.model as string;
  const rules = SPEECH_MODELS[model] ?? modelNotFound(model);
  if (typeof body.input !== 'string' || body.input === '') refuse("'input' is a required property", 'input', 'missing_required_parameter');
  const input = body.input as string;
  if (input.length > MAX_INPUT) {
    refuse(`string too long. Expected a string with maximum length ${MAX_INPUT}, but got a string with length ${input.length} instead.`, 'input', 'string_above_max_length');
  }
  if (body.voice === undefined) refuse("'voice' is a required property", 'voice', 'missing_required_parameter');
  if (typeof body.voice !== 'string' || !rules.voices.includes(body.voice)) {
    refuse(`Invalid value for 'voice': ${JSON.stringify(body.voice)}. Supported values are: ${listOf(rules.voices)}.`, 'voice', 'invalid_value');
  }
  if (body.instructions !== undefined && !rules.instructions) refuse(`Instructions are not supported for ${model}.`, 'instructions');
  const format = (enumField(body.response_format, 'response_format', SPEECH_FORMATS) ?? 'mp3') as (typeof SPEECH_FORMATS)[number];
  const speed = numberField(body.speed, 'speed', 0.25, 4) ?? 1;
  const streamFormat = enumField(body.stream_format, 'stream_format', ['sse', 'audio']);
  if (streamFormat === 'sse' && (model === 'tts-1' || model === 'tts-1-hd')) refuse(`stream_format 'sse' is not supported for ${model}.`, 'stream_format');
  const encoder = ENCODERS[format];
  const audio = encoder.encode(spokenSeconds(input, speed));
  if (streamFormat === 'sse') return sendSpeechEvents(context, audio, input);
  const header = context.req.headers['x-sim-fault'];
  const faults = parseFaults(faultSpecs(typeof header === 'string' ? header : undefined, input, undefined));
  if (faults.midstreamDrop) {
    context.res.writeHead(200, { 'content-type': encoder.type, 'transfer-encoding': 'chunked', 'x-request-id': context.requestId });
    context.res.write(audio.subarray(0, Math.min(audio.length - 1, 4096)), () => context.req.socket.destroy());
    return;
  }
  if (faults.chunkDelayMs !== undefined) {
    // Audio made slowly, 4 KiB at a time, as a real-time voice would send it.
    context.res.writeHead(200, { 'content-type': encoder.type, 'transfer-encoding': 'chunked', 'x-request-id': context.requestId });
    void sendSlowly(context.res, audio, faults.chunkDelayMs);
    return;
  }
  sendBytes(context.res, encoder.type, audio, { 'x-request-id': context.requestId });
};
