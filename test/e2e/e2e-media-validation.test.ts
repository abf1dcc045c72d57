/**
 * Every way a media request can be wrong gets its own 4xx with a stable code, in the OpenAI error envelope the
 * OpenAPI document promises, before any money is held or any provider is called: missing file, unsupported
 * format (415 for the body or the file, 400 for an option), too large (413 from the function's own limit and
 * from API Gateway's), unknown voice, values out of range, unknown models and parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import { mp3Bytes, multipart, pngBytes, wavBytes, type Refusal } from '../support/media-e2e.ts';

/** The deployment's own upload cap for this runtime, so the function's 413 is reachable under API Gateway's 10 MB. */
const UPLOAD_CAP = 1024 * 1024;

let gateway: E2eRuntime;

beforeAll(async () => {
  // A short media deadline, so a provider that never answers is cut off within the test.
  gateway = await startE2eRuntime({ chain: false, videos: false, env: { MEDIA_MAX_UPLOAD_BYTES: String(UPLOAD_CAP), MEDIA_DEADLINE_MS: '1500' } });
});
afterAll(async () => {
  await gateway?.close();
});

const expectRefusal = async (path: string, response: Response, expected: Refusal): Promise<void> => {
  const body = (await response.json()) as { error: { code: string; type: string; message: string; param?: string } };
  expect({ status: response.status, code: body.error.code }).toEqual({ status: expected.status, code: expected.code });
  const type = expected.status >= 500 ? 'api_error' : expected.status === 404 ? 'not_found_error' : expected.status === 401 ? 'authentication_error' : 'invalid_request_error';
  expect(body.error.type).toBe(type);
  expect(body.error.message.length).toBeGreaterThan(10);
  if (expected.param) expect(body.error.param).toBe(expected.param);
  expectMatchesContract(path, 'post', expected.status, body);
};

const postJson = (path: string, body: unknown): Promise<Response> => gateway.post(path, body);
const postForm = (path: string, form: FormData): Promise<Response> => gateway.fetch(path, { method: 'POST', body: form });

const SPEECH = '/v1/audio/speech';
const speech = { model: 'tts-1', input: 'Hello.', voice: 'alloy' };

describe('speech', () => {
  it.each<[string, Record<string, unknown>, Refusal]>([
    ['an unknown voice', { ...speech, voice: 'darth' }, { status: 400, code: 'unknown_voice', param: 'voice' }],
    ['a voice of another model', { ...speech, voice: 'ballad' }, { status: 400, code: 'unknown_voice', param: 'voice' }],
    ['no voice', { model: 'tts-1', input: 'Hello.' }, { status: 400, code: 'missing_voice', param: 'voice' }],
    ['no input', { model: 'tts-1', voice: 'alloy' }, { status: 400, code: 'missing_input', param: 'input' }],
    ['input over 4096 characters', { ...speech, input: 'a'.repeat(4097) }, { status: 400, code: 'input_too_long', param: 'input' }],
    ['an unsupported audio format', { ...speech, response_format: 'ogg' }, { status: 400, code: 'unsupported_response_format', param: 'response_format' }],
    ['speed above 4', { ...speech, speed: 4.5 }, { status: 400, code: 'invalid_speed', param: 'speed' }],
    ['speed below 0.25', { ...speech, speed: 0.1 }, { status: 400, code: 'invalid_speed', param: 'speed' }],
    ['a stream format OpenAI does not have', { ...speech, stream_format: 'websocket' }, { status: 400, code: 'unsupported_stream_format', param: 'stream_format' }],
    ['an unknown parameter', { ...speech, pitch: 3 }, { status: 400, code: 'unknown_parameter', param: 'pitch' }],
    ['no model', { input: 'Hello.', voice: 'alloy' }, { status: 400, code: 'missing_model', param: 'model' }],
    ['an unknown model', { ...speech, model: 'tts-99' }, { status: 404, code: 'model_not_found', param: 'model' }],
    ['a model that does not speak', { ...speech, model: 'whisper-1' }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ])('refuses %s', async (_, body, expected) => {
    await expectRefusal(SPEECH, await postJson(SPEECH, body), expected);
  });

  it('refuses a body that is not JSON (415) and JSON that is not an object (400)', async () => {
    await expectRefusal(SPEECH, await postForm(SPEECH, multipart(speech, [])), { status: 415, code: 'unsupported_media_type' });
    await expectRefusal(SPEECH, await gateway.fetch(SPEECH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1]' }), { status: 400, code: 'invalid_body' });
  });
});

const TRANSCRIBE = '/v1/audio/transcriptions';
const wavFile = (seconds = 1) => ({ name: 'file', data: wavBytes(seconds), filename: 'a.wav', type: 'audio/wav' });

describe('transcription', () => {
  it.each<[string, Record<string, string>, Parameters<typeof multipart>[1], Refusal]>([
    ['no file', { model: 'whisper-1' }, [], { status: 400, code: 'missing_file', param: 'file' }],
    ['the file as a text field', { model: 'whisper-1', file: 'audio.wav' }, [], { status: 400, code: 'missing_file', param: 'file' }],
    ['a file that is not audio', { model: 'whisper-1' }, [{ name: 'file', data: pngBytes(8, 8), filename: 'a.wav', type: 'audio/wav' }], { status: 415, code: 'unsupported_file_format', param: 'file' }],
    ['an empty file', { model: 'whisper-1' }, [{ name: 'file', data: Buffer.alloc(0), filename: 'a.wav' }], { status: 415, code: 'unsupported_file_format', param: 'file' }],
    ['a file over the upload limit', { model: 'whisper-1' }, [{ name: 'file', data: wavBytes(UPLOAD_CAP / 32_000 + 1), filename: 'long.wav' }], { status: 413, code: 'file_too_large', param: 'file' }],
    ['two files', { model: 'whisper-1' }, [wavFile(), wavFile()], { status: 400, code: 'too_many_files', param: 'file' }],
    ['an unknown transcript format', { model: 'whisper-1', response_format: 'docx' }, [wavFile()], { status: 400, code: 'invalid_response_format', param: 'response_format' }],
    ['a language that is not ISO-639-1', { model: 'whisper-1', language: 'English' }, [wavFile()], { status: 400, code: 'invalid_language', param: 'language' }],
    ['word timestamps', { model: 'whisper-1', response_format: 'verbose_json', 'timestamp_granularities[]': 'word' }, [wavFile()], { status: 400, code: 'unsupported_parameter' }],
    ['temperature above 1', { model: 'whisper-1', temperature: '1.5' }, [wavFile()], { status: 400, code: 'invalid_parameter', param: 'temperature' }],
    ['a streamed subtitle transcript', { model: 'whisper-1', stream: 'true', response_format: 'srt' }, [wavFile()], { status: 400, code: 'unsupported_stream_format', param: 'response_format' }],
    ['a stream flag that is not a boolean', { model: 'whisper-1', stream: 'yes' }, [wavFile()], { status: 400, code: 'invalid_parameter', param: 'stream' }],
    ['no model', {}, [wavFile()], { status: 400, code: 'missing_model', param: 'model' }],
    ['a model that does not transcribe', { model: 'tts-1' }, [wavFile()], { status: 400, code: 'unsupported_operation', param: 'model' }],
  ])('refuses %s', async (_, fields, files, expected) => {
    await expectRefusal(TRANSCRIBE, await postForm(TRANSCRIBE, multipart(fields, files)), expected);
  });

  it('refuses a file in JSON (400: JSON names an upload by file_id) and raw audio as the body (415)', async () => {
    await expectRefusal(TRANSCRIBE, await postJson(TRANSCRIBE, { model: 'whisper-1', file: 'a.wav' }), { status: 400, code: 'missing_file', param: 'file' });
    const raw = await gateway.fetch(TRANSCRIBE, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: wavBytes(1) });
    await expectRefusal(TRANSCRIBE, raw, { status: 415, code: 'unsupported_media_type' });
  });

  it('refuses a body over API Gateway’s 10 MB before any function runs (413)', async () => {
    const response = await postForm(TRANSCRIBE, multipart({ model: 'whisper-1' }, [{ name: 'file', data: mp3Bytes(1400), filename: 'huge.mp3' }]));
    const body = (await response.json()) as { error: { code: string } };
    expect([response.status, body.error.code]).toEqual([413, 'payload_too_large']);
    expectMatchesContract(TRANSCRIBE, 'post', 413, body);
  });
});

const EDITS = '/v1/images/edits';

describe('image edits', () => {
  const png = { name: 'image', data: pngBytes(32, 32), filename: 'a.png', type: 'image/png' };
  it.each<[string, Record<string, string>, Parameters<typeof multipart>[1], Refusal]>([
    ['no image', { model: 'gpt-image-1', prompt: 'x' }, [], { status: 400, code: 'missing_file', param: 'image' }],
    ['an image that is audio', { model: 'gpt-image-1', prompt: 'x' }, [{ name: 'image', data: wavBytes(0.1), filename: 'a.png', type: 'image/png' }], { status: 415, code: 'unsupported_file_format', param: 'image' }],
    ['a mask that is not PNG', { model: 'gpt-image-1', prompt: 'x' }, [png, { name: 'mask', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), filename: 'm.jpg' }], { status: 415, code: 'unsupported_file_format', param: 'mask' }],
    ['an image over the upload limit', { model: 'gpt-image-1', prompt: 'x' }, [{ ...png, data: Buffer.concat([png.data, Buffer.alloc(UPLOAD_CAP)]) }], { status: 413, code: 'file_too_large', param: 'image' }],
    ['17 images', { model: 'gpt-image-1', prompt: 'x' }, Array.from({ length: 17 }, () => ({ ...png, name: 'image[]' })), { status: 400, code: 'too_many_files', param: 'image' }],
    ['an unexpected file', { model: 'gpt-image-1', prompt: 'x' }, [png, { ...png, name: 'reference' }], { status: 400, code: 'unknown_parameter', param: 'reference' }],
    ['no prompt', { model: 'gpt-image-1' }, [png], { status: 400, code: 'missing_prompt', param: 'prompt' }],
    ['a size the model is not priced for', { model: 'gpt-image-1', prompt: 'x', size: '640x480' }, [png], { status: 400, code: 'unsupported_size', param: 'size' }],
    ['a model that cannot edit', { model: 'dall-e-3', prompt: 'x' }, [png], { status: 400, code: 'unsupported_operation', param: 'model' }],
  ])('refuses %s', async (_, fields, files, expected) => {
    await expectRefusal(EDITS, await postForm(EDITS, multipart(fields, files)), expected);
  });
});

const GENERATIONS = '/v1/images/generations';

describe('image generation', () => {
  it.each<[string, Record<string, unknown>, Refusal]>([
    ['no prompt', { model: 'gpt-image-1' }, { status: 400, code: 'missing_prompt', param: 'prompt' }],
    ['a size the model is not priced for', { model: 'dall-e-3', prompt: 'x', size: '256x256' }, { status: 400, code: 'unsupported_size', param: 'size' }],
    ['a quality the model does not have', { model: 'dall-e-3', prompt: 'x', quality: 'ultra' }, { status: 400, code: 'unsupported_quality', param: 'quality' }],
    ['n of 0', { model: 'gpt-image-1', prompt: 'x', n: 0 }, { status: 400, code: 'invalid_parameter', param: 'n' }],
    ['n of 11', { model: 'gpt-image-1', prompt: 'x', n: 11 }, { status: 400, code: 'invalid_parameter', param: 'n' }],
    ['an unknown response format', { model: 'dall-e-3', prompt: 'x', response_format: 'png' }, { status: 400, code: 'invalid_response_format', param: 'response_format' }],
    ['more partial images than OpenAI offers', { model: 'gpt-image-1', prompt: 'x', stream: true, partial_images: 4 }, { status: 400, code: 'invalid_parameter', param: 'partial_images' }],
    ['a stream flag that is not a boolean', { model: 'gpt-image-1', prompt: 'x', stream: 'yes' }, { status: 400, code: 'invalid_parameter', param: 'stream' }],
    ['an unknown provider', { model: 'gpt-image-1', prompt: 'x', provider: 'acme' }, { status: 400, code: 'invalid_enum_value', param: 'provider' }],
  ])('refuses %s', async (_, body, expected) => {
    await expectRefusal(GENERATIONS, await postJson(GENERATIONS, body), expected);
  });
});

const EMBEDDINGS = '/v1/embeddings';

describe('embeddings', () => {
  it.each<[string, Record<string, unknown>, Refusal]>([
    ['no input', { model: 'text-embedding-3-small' }, { status: 400, code: 'missing_input', param: 'input' }],
    ['an empty string', { model: 'text-embedding-3-small', input: '' }, { status: 400, code: 'invalid_input', param: 'input' }],
    ['an empty array', { model: 'text-embedding-3-small', input: [] }, { status: 400, code: 'invalid_input', param: 'input' }],
    ['a mixed array', { model: 'text-embedding-3-small', input: ['ok', 3.5] }, { status: 400, code: 'invalid_input', param: 'input' }],
    ['2049 inputs', { model: 'text-embedding-3-small', input: Array(2049).fill('x') }, { status: 400, code: 'too_many_inputs', param: 'input' }],
    ['more dimensions than the model has', { model: 'text-embedding-3-small', input: 'x', dimensions: 2048 }, { status: 400, code: 'invalid_dimensions', param: 'dimensions' }],
    ['zero dimensions', { model: 'text-embedding-3-small', input: 'x', dimensions: 0 }, { status: 400, code: 'invalid_parameter', param: 'dimensions' }],
    ['an unknown encoding', { model: 'text-embedding-3-small', input: 'x', encoding_format: 'int8' }, { status: 400, code: 'invalid_parameter', param: 'encoding_format' }],
    ['a text model', { model: 'gpt-4o-mini', input: 'x' }, { status: 400, code: 'unsupported_operation', param: 'model' }],
  ])('refuses %s', async (_, body, expected) => {
    await expectRefusal(EMBEDDINGS, await postJson(EMBEDDINGS, body), expected);
  });
});

describe('a provider that never answers', () => {
  it('is cut off at the media deadline: 504 upstream_timeout, in the envelope', async () => {
    await expectRefusal(SPEECH, await postJson(SPEECH, { ...speech, input: 'SIM_FAULT=timeout' }), { status: 504, code: 'upstream_timeout' });
  });
});

describe('nothing a client sends is a 500', () => {
  // biome-ignore lint/correctness/noPrecisionLoss: 1e309 is Infinity on purpose; JSON.stringify sends it as null.
  const junk: unknown[] = [null, 1, 'text', true, [], {}, [1, 'a'], { a: 1 }, -1, 1e309];
  const fields = ['model', 'input', 'voice', 'response_format', 'speed', 'prompt', 'n', 'size', 'quality', 'dimensions', 'encoding_format', 'provider'];
  it.each([SPEECH, GENERATIONS, EMBEDDINGS])('%s answers 4xx for wrong types in every field', async (path) => {
    const base: Record<string, unknown> = { model: path === SPEECH ? 'tts-1' : path === EMBEDDINGS ? 'text-embedding-3-small' : 'gpt-image-1', input: 'x', voice: 'alloy', prompt: 'x' };
    for (const field of fields) {
      for (const value of junk) {
        const response = await postJson(path, { ...base, [field]: value });
        if (response.status >= 500) throw new Error(`${path} ${field}=${JSON.stringify(value)} answered ${response.status}: ${await response.text()}`);
        await response.body?.cancel();
      }
    }
  });
});
