/**
 * Uploads end to end on the local runtime: POST /v1/uploads presigns a PUT into the S3 stand-in, the client
 * sends the file there (never through the gateway), and transcriptions and image edits name it by `file_id`.
 * A transcription streams the upload from S3 into the provider request: the simulator transcribes what it
 * received, so a whole transcript of the right length shows every byte arrived. Ownership, completeness,
 * size and format are refused with their own codes, and an idempotent call is pinned to the upload's content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorEnv } from '../../infra/local/simulators/openai-compatible/local-env.ts';
import { paddedPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { startOpenAICompatibleSimulator, type OpenAICompatibleSimulator } from '../../infra/local/simulators/openai-compatible/server.ts';
import { isUploadId } from '../../shared/uploads/ids.ts';
import { atomic, catalogPrice, expectCharge, multipart, pngBytes, receiptOf, wavBytes } from '../support/media-e2e.ts';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';

let gw: E2eRuntime;
// OpenAI's simulator started here, so the files it received can be looked at.
let openai: OpenAICompatibleSimulator;

// The large files, made before any request. Making one takes seconds of synchronous work, and the gateway's
// server runs in this process: a request sent right after it went out on a kept-alive connection whose idle
// timeout lapsed meanwhile on both ends. Neither end's timer had run yet, so the client reused the connection,
// then the server's timer closed it with the request unread, and the client read ECONNRESET.
const LARGE_WAV_SECONDS = Math.floor((25 * 1024 * 1024 - 44) / 32_000);
let largeWav: Buffer;
let largeImage: Buffer;

beforeAll(async () => {
  largeWav = wavBytes(LARGE_WAV_SECONDS);
  largeImage = paddedPicture(20 * 1024 * 1024);
  openai = await startOpenAICompatibleSimulator({ flavor: 'openai', apiKey: 'sk-uploads-test' });
  gw = await startE2eRuntime({ chain: false, videos: false, env: simulatorEnv('openai', openai) });
});

afterAll(async () => {
  await gw?.close();
  await openai?.close();
});

interface Upload {
  id: string;
  object: string;
  bytes: number;
  purpose: string;
  upload_url: string;
  method: string;
  headers: Record<string, string>;
  expires_at: number;
}

const createUpload = async (body: Record<string, unknown>, key = gw.apiKey): Promise<{ status: number; body: Upload & { error?: { code: string; param?: string } } }> => {
  const response = await gw.fetch('/v1/uploads', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Upload & { error?: { code: string } } };
};

const put = (upload: Upload, data: Buffer): Promise<Response> => fetch(upload.upload_url, { method: upload.method, headers: upload.headers, body: data });

/** An upload created and filled: what a client does before naming it. */
const uploaded = async (data: Buffer, purpose: 'transcription' | 'image_edit', contentType: string, key = gw.apiKey): Promise<Upload> => {
  const { status, body } = await createUpload({ filename: purpose === 'transcription' ? 'meeting.wav' : 'photo.png', content_type: contentType, bytes: data.length, purpose }, key);
  expect(status).toBe(201);
  expect((await put(body, data)).status).toBe(200);
  return body;
};

const transcribe = (body: Record<string, unknown>, key = gw.apiKey, headers: Record<string, string> = {}) =>
  gw.fetch('/v1/audio/transcriptions', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const errorOf = async (response: Response): Promise<{ status: number; code: string; param?: string }> => {
  const body = (await response.json()) as { error: { code: string; param?: string } };
  return { status: response.status, code: body.error.code, ...(body.error.param ? { param: body.error.param } : {}) };
};

describe('POST /v1/uploads', () => {
  it('answers a presigned PUT into the media bucket, signed for the declared length and type', async () => {
    const { status, body } = await createUpload({ filename: 'meeting.wav', content_type: 'audio/wav', bytes: 1234, purpose: 'transcription' });
    expect(status).toBe(201);
    expectMatchesContract('/v1/uploads', 'POST', 201, body);
    expect(isUploadId(body.id)).toBe(true);
    expect(body).toMatchObject({ object: 'upload', bytes: 1234, purpose: 'transcription', method: 'PUT', headers: { 'Content-Type': 'audio/wav', 'Content-Length': '1234' } });
    const url = new URL(body.upload_url);
    expect(url.origin).toBe(new URL(gw.env.AWS_ENDPOINT_URL_S3!).origin);
    expect(url.pathname).toMatch(/^\/compose-local-media\/uploads\/transcription\/[0-9a-f]{32}\/upl_[0-9a-f]{32}$/);
    expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type']));
    expect(body.expires_at).toBeGreaterThan(Date.now() / 1000);
  });

  it.each<[string, Record<string, unknown>, { status: number; code: string; param: string }]>([
    ['a transcription over 25 MB', { filename: 'a.wav', bytes: 25 * 1024 * 1024 + 1, purpose: 'transcription' }, { status: 413, code: 'file_too_large', param: 'bytes' }],
    ['an image over 50 MB', { filename: 'a.png', bytes: 50 * 1024 * 1024 + 1, purpose: 'image_edit' }, { status: 413, code: 'file_too_large', param: 'bytes' }],
    ['no size', { filename: 'a.wav', purpose: 'transcription' }, { status: 400, code: 'missing_bytes', param: 'bytes' }],
    ['a size that is not a whole number', { filename: 'a.wav', bytes: 1.5, purpose: 'transcription' }, { status: 400, code: 'invalid_bytes', param: 'bytes' }],
    ['an empty file', { filename: 'a.wav', bytes: 0, purpose: 'transcription' }, { status: 400, code: 'invalid_bytes', param: 'bytes' }],
    ['no filename', { bytes: 10, purpose: 'transcription' }, { status: 400, code: 'missing_filename', param: 'filename' }],
    ['an unknown purpose', { filename: 'a.wav', bytes: 10, purpose: 'fine-tune' }, { status: 400, code: 'invalid_purpose', param: 'purpose' }],
    ['no purpose', { filename: 'a.wav', bytes: 10 }, { status: 400, code: 'missing_purpose', param: 'purpose' }],
    ['a content type that is not one', { filename: 'a.wav', bytes: 10, purpose: 'transcription', content_type: 'wav please' }, { status: 400, code: 'invalid_content_type', param: 'content_type' }],
    ['an unknown field', { filename: 'a.wav', bytes: 10, purpose: 'transcription', expires_after: 60 }, { status: 400, code: 'unknown_parameter', param: 'expires_after' }],
  ])('refuses %s', async (_, body, expected) => {
    const response = await gw.fetch('/v1/uploads', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await response.clone().json();
    expect(await errorOf(response)).toEqual(expected);
    expectMatchesContract('/v1/uploads', 'POST', expected.status, json);
  });

  it('refuses a caller it cannot prove (401): an upload belongs to someone', async () => {
    const response = await fetch(`${gw.url}/v1/uploads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ filename: 'a.wav', bytes: 10, purpose: 'transcription' }) });
    expect(await errorOf(response)).toEqual({ status: 401, code: 'caller_required' });
  });
});

describe('transcription of an upload', () => {
  it('streams a 25 MB WAV from storage to the provider and charges its exact length', async () => {
    const seconds = LARGE_WAV_SECONDS;
    const upload = await uploaded(largeWav, 'transcription', 'audio/wav');
    const response = await transcribe({ model: 'whisper-1', file_id: upload.id, response_format: 'verbose_json' });
    const body = (await response.json()) as { duration: number; segments: unknown[]; text: string };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expectMatchesContract('/v1/audio/transcriptions', 'POST', 200, body);
    // The simulator measured the audio it was sent: all of it arrived.
    expect(body.duration).toBe(seconds);
    expect(body.segments).toHaveLength(Math.ceil(seconds / 5));
    const perMinute = catalogPrice('whisper-1', 'openai', 'transcription', 'input');
    expectCharge(receiptOf(response), { key: 'audio_minutes', unit: 'audio_minutes', quantity: seconds / 60, amount: atomic((seconds / 60) * perMinute) });
  });

  it('takes file_id in a multipart body too, with the other fields as multipart fields', async () => {
    const upload = await uploaded(wavBytes(7), 'transcription', 'audio/wav');
    const response = await gw.fetch('/v1/audio/transcriptions', { method: 'POST', body: multipart({ model: 'whisper-1', file_id: upload.id, response_format: 'text' }, []) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('Sentence 1 of the simulated transcript. Sentence 2 of the simulated transcript.\n');
  });

  it('is the uploader’s alone: another key, or the upload named for another purpose, finds nothing (404)', async () => {
    const upload = await uploaded(wavBytes(2), 'transcription', 'audio/wav');
    const stranger = await gw.mintDevKey(5);
    expect(await errorOf(await transcribe({ model: 'whisper-1', file_id: upload.id }, stranger))).toEqual({ status: 404, code: 'upload_not_found', param: 'file_id' });
    const edit = await gw.post('/v1/images/edits', { model: 'gpt-image-1', prompt: 'x', file_id: upload.id });
    expect(await errorOf(edit)).toEqual({ status: 404, code: 'upload_not_found', param: 'file_id' });
  });

  it('waits for the file: an upload created but not yet sent is not found (404)', async () => {
    const { body: upload } = await createUpload({ filename: 'later.wav', bytes: 64_044, purpose: 'transcription' });
    const response = await transcribe({ model: 'whisper-1', file_id: upload.id });
    const json = await response.clone().json();
    expect(await errorOf(response)).toEqual({ status: 404, code: 'upload_not_found', param: 'file_id' });
    expectMatchesContract('/v1/audio/transcriptions', 'POST', 404, json);
  });

  it('refuses an upload that is not audio (415), read from its first bytes', async () => {
    const upload = await uploaded(pngBytes(16, 16), 'transcription', 'audio/wav');
    expect(await errorOf(await transcribe({ model: 'whisper-1', file_id: upload.id }))).toEqual({ status: 415, code: 'unsupported_file_format', param: 'file_id' });
  });

  it.each<[string, Record<string, unknown>, { status: number; code: string; param?: string }]>([
    ['no file_id', { model: 'whisper-1' }, { status: 400, code: 'missing_file', param: 'file_id' }],
    ['a file in JSON', { model: 'whisper-1', file: 'a.wav' }, { status: 400, code: 'missing_file', param: 'file' }],
    ['an id that is not an upload id', { model: 'whisper-1', file_id: 'file-abc' }, { status: 400, code: 'invalid_file_id', param: 'file_id' }],
    ['a model that does not transcribe', { model: 'tts-1', file_id: 'upl_00000000000000000000000000000000' }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ])('refuses %s', async (_, body, expected) => {
    expect(await errorOf(await transcribe(body))).toEqual(expected);
  });

  it('refuses both a file and a file_id', async () => {
    const form = multipart({ model: 'whisper-1', file_id: 'upl_00000000000000000000000000000000' }, [{ name: 'file', data: wavBytes(1), filename: 'a.wav' }]);
    expect(await errorOf(await gw.fetch('/v1/audio/transcriptions', { method: 'POST', body: form }))).toEqual({ status: 400, code: 'conflicting_parameters', param: 'file_id' });
  });

  it('asks an unproven caller to prove itself (401) rather than saying whether the upload exists', async () => {
    const response = await fetch(`${gw.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'whisper-1', file_id: 'upl_00000000000000000000000000000000' }) });
    expect(await errorOf(response)).toEqual({ status: 401, code: 'caller_required' });
  });

  it('replays an idempotent call for free, and treats a replaced file as a different call (422)', async () => {
    const upload = await uploaded(wavBytes(3), 'transcription', 'audio/wav');
    const key = `upload-${Date.now()}`;
    const first = await transcribe({ model: 'whisper-1', file_id: upload.id }, gw.apiKey, { 'x-idempotency-key': key });
    expect(first.status).toBe(200);
    const again = await transcribe({ model: 'whisper-1', file_id: upload.id }, gw.apiKey, { 'x-idempotency-key': key });
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(await again.json()).toEqual(await first.json());
    // Same URL, same length, other audio: a new ETag, so the same key now names a different request.
    expect((await put(upload, wavBytes(3).fill(1, 44))).status).toBe(200);
    const replaced = await transcribe({ model: 'whisper-1', file_id: upload.id }, gw.apiKey, { 'x-idempotency-key': key });
    expect(replaced.status).toBe(422);
  });
});

describe('image edit of an upload', () => {
  it('edits an uploaded image named by file_id in a JSON body', async () => {
    const upload = await uploaded(pngBytes(64, 64), 'image_edit', 'image/png');
    const response = await gw.post('/v1/images/edits', { model: 'gpt-image-1', prompt: 'Add a hat', file_id: upload.id, quality: 'low', size: '1024x1024', response_format: 'b64_json' });
    const body = (await response.json()) as { data: { b64_json: string }[] };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expectMatchesContract('/v1/images/edits', 'POST', 200, body);
    expect(Buffer.from(body.data[0]!.b64_json, 'base64').subarray(1, 4).toString()).toBe('PNG');
  });

  it('streams an image larger than any request body from storage into the provider request, mask and all', async () => {
    const image = largeImage;
    expect(image.length).toBe(20 * 1024 * 1024);
    const upload = await uploaded(image, 'image_edit', 'image/png');
    const form = multipart({ model: 'gpt-image-1', prompt: 'Add a hat', file_id: upload.id, quality: 'low', size: '1024x1024' }, [
      { name: 'mask', data: pngBytes(64, 64, 2), filename: 'mask.png', type: 'image/png' },
    ]);
    const response = await gw.fetch('/v1/images/edits', { method: 'POST', body: form });
    expect(response.status, await response.clone().text()).toBe(200);
    // The provider received every byte of the upload, then the mask.
    const sent = openai.requests.at(-1)!.body as { prompt: string; files: { name: string; type: string; bytes: number }[] };
    expect(sent).toMatchObject({ prompt: 'Add a hat', files: [{ name: 'image', type: 'image/png', bytes: image.length }, { name: 'mask', type: 'image/png' }] });
    const perImage = catalogPrice('gpt-image-1', 'openai', 'image-edit', 'low:1024x1024');
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 1, amount: atomic(perImage), entry: 'low:1024x1024' });
  });

  it('takes file_id beside a multipart mask', async () => {
    const upload = await uploaded(pngBytes(32, 32), 'image_edit', 'image/png');
    const form = multipart({ model: 'gpt-image-1', prompt: 'Add a hat', file_id: upload.id, quality: 'low', size: '1024x1024', response_format: 'b64_json' }, [
      { name: 'mask', data: pngBytes(32, 32, 2), filename: 'mask.png', type: 'image/png' },
    ]);
    const response = await gw.fetch('/v1/images/edits', { method: 'POST', body: form });
    expect(response.status, await response.clone().text()).toBe(200);
  });
});
