/**
 * Streamed transcription end to end: `stream: true` on POST /v1/audio/transcriptions, through the official
 * `openai` SDK and on the raw wire, against the local runtime and the openai simulator. GPT-4o transcribe
 * models stream the transcript word by word (`transcript.text.delta`), then `transcript.text.done`; a model
 * that cannot stream (whisper-1) sends its finished transcript as one delta, then done. The charge is the
 * unstreamed call's; nothing for a stream that breaks before done; a client that hangs up after text owes it.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import { dataFrames, drain, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesSchema } from '../support/openapi.ts';
import { atomic, catalogPrice, expectCharge, hangUpAfter as hangUpAfterSending, multipart, receiptOf, settledSpend, upload, wavBytes } from '../support/media-e2e.ts';

let gateway: E2eRuntime;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startE2eRuntime({ chain: false, videos: false, env: { SSE_HEARTBEAT_MS: '250' } });
  client = gateway.client();
});
afterAll(async () => {
  await gateway?.close();
});

const TRANSCRIPT = 'Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.';
const perMinute = (model: string): number => catalogPrice(model, 'openai', 'transcription', 'input');
const wav = (seconds: number) => ({ name: 'file', data: wavBytes(seconds), filename: 'meeting.wav', type: 'audio/wav' });

/** A raw multipart call: the status, headers and SSE frames as written. */
const rawStream = async (path: string, fields: Record<string, string>, seconds = 7, key = gateway.apiKey, headers: Record<string, string> = {}) => {
  const response = await gateway.fetch(path, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...headers }, body: multipart({ stream: 'true', ...fields }, [wav(seconds)]) });
  const text = await response.text();
  return { response, text, frames: response.headers.get('content-type')?.startsWith('text/event-stream') ? dataFrames(parseSse(text)) : [] };
};
const kinds = (frames: { event?: string; data: string }[]) => frames.map((f) => f.event ?? f.data);

describe('streamed transcription (native)', () => {
  it('streams gpt-4o-mini-transcribe word by word through the openai SDK, then done and the receipt', async () => {
    const stream = await client.audio.transcriptions.create({ file: await upload(wavBytes(7), 'meeting.wav'), model: 'gpt-4o-mini-transcribe', stream: true });
    const events = (await drain(stream as AsyncIterable<{ type: string; delta?: string; text?: string }>)).items;
    const deltas = events.filter((e) => e.type === 'transcript.text.delta');
    expect(deltas.length).toBe(TRANSCRIPT.split(' ').length);
    expect(deltas.map((e) => e.delta).join('')).toBe(TRANSCRIPT);
    // The SDK stops at [DONE]; the receipt after it is for parsers that read on.
    expect(events.at(-1)!.type).toBe('transcript.text.done');
    const done = events.at(-1)!;
    expect(done).toEqual({ type: 'transcript.text.done', text: TRANSCRIPT, usage: { type: 'duration', seconds: 7 } });
    for (const event of events) expectMatchesSchema('TranscriptionStreamEvent', event);
  });

  it('names every event on the wire and closes with [DONE] then compose.receipt, charging what the unstreamed call charges', async () => {
    const { response, frames } = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-transcribe' }, 6);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-routing-final-model')).toBe('gpt-4o-transcribe');
    expect(kinds(frames).slice(-3)).toEqual(['transcript.text.done', '[DONE]', 'compose.receipt']);
    expect(new Set(kinds(frames).slice(0, -3))).toEqual(new Set(['transcript.text.delta']));
    for (const frame of frames.slice(0, -2)) expect((frame.json as { type: string }).type).toBe(frame.event);

    const unstreamed = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await upload(wavBytes(6), 'meeting.wav') }).withResponse();
    const streamedReceipt = frames.at(-1)!.json as ReceiptBody;
    expect(streamedReceipt.line_items).toEqual(receiptOf(unstreamed.response).line_items);
    expect((frames.at(-3)!.json as { text: string }).text).toBe(unstreamed.data.text);
  });

  it('streams a model that cannot stream (whisper-1) as its finished transcript: one delta, then done', async () => {
    const { frames } = await rawStream('/v1/audio/transcriptions', { model: 'whisper-1', response_format: 'text' }, 4);
    expect(kinds(frames)).toEqual(['transcript.text.delta', 'transcript.text.done', '[DONE]', 'compose.receipt']);
    expect(frames[0]!.json).toEqual({ type: 'transcript.text.delta', delta: 'Sentence 1 of the simulated transcript.' });
    expectCharge(frames[3]!.json as ReceiptBody, { key: 'audio_minutes', unit: 'audio_minutes', quantity: 4 / 60, amount: atomic((4 / 60) * perMinute('whisper-1')) });
  });

  it('streams an upload named by file_id (JSON body)', async () => {
    const audio = wavBytes(5);
    const created = await gateway.fetch('/v1/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filename: 'meeting.wav', content_type: 'audio/wav', bytes: audio.length, purpose: 'transcription' }) });
    const target = (await created.json()) as { id: string; upload_url: string; method: string; headers: Record<string, string> };
    expect((await fetch(target.upload_url, { method: target.method, headers: target.headers, body: audio })).status).toBe(200);
    const response = await gateway.fetch('/v1/audio/transcriptions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini-transcribe', file_id: target.id, stream: true }) });
    const frames = dataFrames(parseSse(await response.text()));
    expect(kinds(frames).slice(-3)).toEqual(['transcript.text.done', '[DONE]', 'compose.receipt']);
    expectCharge(frames.at(-1)!.json as ReceiptBody, { key: 'audio_minutes', unit: 'audio_minutes', quantity: 5 / 60, amount: atomic((5 / 60) * perMinute('gpt-4o-mini-transcribe')) });
  });

  it('refuses a streamed srt, vtt or verbose_json transcript before any money moves (400)', async () => {
    for (const format of ['srt', 'vtt', 'verbose_json']) {
      const { response, text } = await rawStream('/v1/audio/transcriptions', { model: 'whisper-1', response_format: format });
      expect(response.status, format).toBe(400);
      expect(JSON.parse(text).error, format).toMatchObject({ code: 'unsupported_stream_format', param: 'response_format' });
    }
  });

  it('a stream that breaks before done charges nothing: a key holding exactly one call still makes it afterwards', async () => {
    const price = atomic((7 / 60) * perMinute('gpt-4o-mini-transcribe'));
    const key = await gateway.mintDevKey(Number(price) / 1e6);
    for (const fault of ['midstream-error', 'midstream-drop', 'malformed', 'truncate']) {
      const broken = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe', prompt: `SIM_FAULT=${fault}` }, 7, key);
      expect(kinds(broken.frames).slice(-2), fault).toEqual(['compose.error', '[DONE]']);
      expect(kinds(broken.frames), fault).not.toContain('transcript.text.done');
      expect((broken.frames.at(-2)!.json as { error: { code: string } }).error.code, fault).toMatch(/^upstream_/);
    }
    const paid = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe' }, 7, key);
    expect(kinds(paid.frames).at(-1)).toBe('compose.receipt');
    const broke = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe' }, 7, key);
    expect(broke.response.status).toBe(402);
  });

  it('replays a streamed transcript whole, free', async () => {
    const headers = { 'x-idempotency-key': `transcription-stream-${Date.now()}` };
    const first = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe' }, 3, gateway.apiKey, headers);
    const again = await rawStream('/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe' }, 3, gateway.apiKey, headers);
    expect(again.response.headers.get('idempotent-replayed')).toBe('true');
    expect(again.frames).toEqual(first.frames);
  });
});

describe('streamed transcription (external)', () => {
  it('speaks OpenAI only: deltas, done, [DONE], no compose events', async () => {
    const { frames } = await rawStream('/external/v1/audio/transcriptions', { model: 'gpt-4o-mini-transcribe' }, 4);
    expect(kinds(frames).slice(-2)).toEqual(['transcript.text.done', '[DONE]']);
    expect(kinds(frames).some((k) => k.startsWith('compose.'))).toBe(false);
  });
});

describe('a client that hangs up mid-transcript', () => {
  const hangUpAfter = (fields: Record<string, string>, key: string, seen: string): Promise<void> =>
    hangUpAfterSending(`${gateway.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: multipart({ stream: 'true', ...fields }, [wav(7)]) }, seen);

  it('owes the whole call once it holds some of the transcript (the provider bills the whole audio)', async () => {
    const key = await gateway.mintDevKey(1);
    await hangUpAfter({ model: 'gpt-4o-mini-transcribe', prompt: 'SIM_FAULT=chunk-delay:300' }, key, 'transcript.text.delta');
    expect(await settledSpend(gateway.env, key)).toBe(BigInt(atomic((7 / 60) * perMinute('gpt-4o-mini-transcribe'))));
  });

  it('owes nothing when it hangs up before any text arrived', async () => {
    const key = await gateway.mintDevKey(1);
    await hangUpAfter({ model: 'gpt-4o-mini-transcribe', prompt: 'SIM_FAULT=slow:5000' }, key, ': keep-alive');
    expect(await settledSpend(gateway.env, key)).toBe(0n);
  });
});
