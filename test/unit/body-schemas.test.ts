/**
 * Request bodies are read by zod object schemas through one helper (`parseBody`, shared/calls/fields.ts) that
 * turns the first zod issue into the project's typed 400: a stable code per field and kind of problem, the
 * parameter it blames, and a sentence a client can act on. These are its rules, and the media routes' words,
 * checked without a runtime (the e2e suites check the same refusals over HTTP).
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { codesByKind, parseBody } from '../../shared/calls/fields.ts';
import { parseEmbeddingsRequest } from '../../shared/media/embeddings/request.ts';
import { asFormFields } from '../../shared/media/fields.ts';
import { parseImageEditFields, parseImageFields } from '../../shared/media/images/request.ts';
import { parseModerationRequest } from '../../shared/media/moderation/serve.ts';
import { parseSpeechRequest } from '../../shared/media/speech/request.ts';
import { parseTranscriptionJson } from '../../shared/media/transcription/request.ts';
import { parseUploadRequest } from '../../shared/uploads/request.ts';

const refusalOf = (read: () => unknown): { status: number; code: string; param: string; message: string } | 'accepted' => {
  try {
    read();
    return 'accepted';
  } catch (error) {
    const { status, code, param, message } = error as { status: number; code: string; param: string; message: string };
    return { status, code, param, message };
  }
};

describe('parseBody', () => {
  const schema = z.strictObject({ name: z.string().min(1), size: z.int().min(1).max(9).nullish(), kind: z.enum(['a', 'b']).nullish() });

  it('names an unknown field before any other problem, as OpenAI does', () => {
    expect(refusalOf(() => parseBody(schema, { size: 'x', extra: 1 }))).toEqual({
      status: 400,
      code: 'unknown_parameter',
      param: 'extra',
      message: 'Unrecognized request argument supplied: extra.',
    });
  });

  it('calls an absent, null or empty required field missing_<field>', () => {
    for (const name of [undefined, null, '']) {
      expect(refusalOf(() => parseBody(schema, name === undefined ? {} : { name }))).toEqual({ status: 400, code: 'missing_name', param: 'name', message: "'name' is required." });
    }
  });

  it('reports problems in the order of the shape', () => {
    expect(refusalOf(() => parseBody(schema, { name: 5, size: 10 }))).toMatchObject({ code: 'invalid_parameter', param: 'name', message: "Invalid 'name': must be a string." });
  });

  it('words an enum with its values and what was sent', () => {
    expect(refusalOf(() => parseBody(schema, { name: 'n', kind: 'c' }))).toMatchObject({ param: 'kind', message: `Invalid 'kind': must be one of 'a', 'b', got "c".` });
  });

  it('renames codes per field and kind, and takes a refinement’s own code', () => {
    const refined = z.object({ n: z.number().refine((n) => n % 2 === 0, { error: 'n must be even.', params: { code: 'odd_n' } }), k: z.enum(['a']).nullish() });
    expect(refusalOf(() => parseBody(refined, { n: 3 }))).toMatchObject({ code: 'odd_n', param: 'n', message: 'n must be even.' });
    expect(refusalOf(() => parseBody(refined, { n: 2, k: 'z' }, { k: codesByKind({ invalid: 'unsupported_k' }) }))).toMatchObject({ code: 'unsupported_k', param: 'k' });
  });

  it('passes the parsed value through, null read as unset by the caller', () => {
    expect(parseBody(schema, { name: 'n', size: null })).toEqual({ name: 'n', size: null });
  });
});

describe('media bodies', () => {
  const speech = { model: 'tts-1', input: 'Hello.', voice: 'alloy' };

  it.each<[string, () => unknown, { code: string; param: string; message: string }]>([
    ['speech: speed out of range', () => parseSpeechRequest({ ...speech, speed: 4.5 }), { code: 'invalid_speed', param: 'speed', message: "Invalid 'speed': must be between 0.25 and 4, got 4.5." }],
    ['speech: speed as text', () => parseSpeechRequest({ ...speech, speed: '1.5' }), { code: 'invalid_parameter', param: 'speed', message: "Invalid 'speed': must be a number." }],
    ['speech: too long', () => parseSpeechRequest({ ...speech, input: 'é'.repeat(4097) }), { code: 'input_too_long', param: 'input', message: "'input' has 4097 characters; the limit is 4096." }],
    ['speech: no model', () => parseSpeechRequest({ input: 'x', voice: 'alloy' }), { code: 'missing_model', param: 'model', message: 'model is required' }],
    ['speech: a model that is a number', () => parseSpeechRequest({ ...speech, model: 4 }), { code: 'invalid_model', param: 'model', message: "'model' must be a string." }],
    ['speech: a language', () => parseSpeechRequest({ ...speech, language: 'English' }), { code: 'invalid_language', param: 'language', message: "'language' must be an ISO 639-1 code such as 'en' or 'fr'; got 'English'." }],
    ['speech: a format', () => parseSpeechRequest({ ...speech, response_format: 'ogg' }), { code: 'unsupported_response_format', param: 'response_format', message: `Invalid 'response_format': must be one of 'mp3', 'opus', 'aac', 'flac', 'wav', 'pcm', got "ogg".` }],
    ['embeddings: an item', () => parseEmbeddingsRequest({ model: 'm', input: ['ok', 3.5] }), { code: 'invalid_input', param: 'input', message: "'input[1]' must be a non-empty string or a non-empty array of token ids." }],
    ['embeddings: too many', () => parseEmbeddingsRequest({ model: 'm', input: Array(2049).fill('x') }), { code: 'too_many_inputs', param: 'input', message: "'input' has 2049 items; at most 2048 are allowed." }],
    ['embeddings: a fractional dimension', () => parseEmbeddingsRequest({ model: 'm', input: 'x', dimensions: 1.5 }), { code: 'invalid_parameter', param: 'dimensions', message: "Invalid 'dimensions': must be an integer." }],
    ['images: n beyond a safe integer', () => parseImageFields({ model: 'm', prompt: 'p', n: 1e20 }), { code: 'invalid_parameter', param: 'n', message: "Invalid 'n': must be between 1 and 10, got 100000000000000000000." }],
    ['images: a response format', () => parseImageFields({ model: 'm', prompt: 'p', response_format: 'png' }), { code: 'invalid_response_format', param: 'response_format', message: `Invalid 'response_format': must be one of 'url', 'b64_json', got "png".` }],
    ['moderation: a null model', () => parseModerationRequest({ input: 'x', model: null }), { code: 'invalid_parameter', param: 'model', message: "Invalid 'model': must be a string." }],
    ['moderation: mixed items', () => parseModerationRequest({ input: ['x', { type: 'text', text: 'y' }] }), { code: 'invalid_input', param: 'input', message: expect.stringContaining("Invalid 'input': each item") }],
    ['transcription: word timestamps', () => parseTranscriptionJson({ model: 'whisper-1', file_id: 'upl_1', 'timestamp_granularities[]': ['word'] }), { code: 'unsupported_parameter', param: 'timestamp_granularities', message: "Only 'segment' timestamps are available on this gateway." }],
    ['transcription: a file in JSON', () => parseTranscriptionJson({ model: 'whisper-1', file: 'a.wav', x: 1 }), { code: 'unknown_parameter', param: 'x', message: 'Unrecognized request argument supplied: x.' }],
    ['uploads: no purpose', () => parseUploadRequest({ filename: 'a.wav', bytes: 1 }), { code: 'missing_purpose', param: 'purpose', message: "'purpose' is required: one of 'transcription', 'image_edit'." }],
    ['uploads: a null content type', () => parseUploadRequest({ filename: 'a.wav', bytes: 1, purpose: 'transcription', content_type: null }), { code: 'invalid_content_type', param: 'content_type', message: "'content_type' must be a media type such as 'audio/wav'." }],
  ])('%s', (_name, read, expected) => {
    expect(refusalOf(read)).toEqual({ status: 400, ...expected });
  });

  it('reads numbers and booleans from the text of multipart fields (an empty number field is absent)', () => {
    const call = parseImageEditFields(asFormFields({ model: 'm', prompt: 'p', n: '2', stream: 'true', partial_images: '', output_compression: '50' }));
    expect(call).toMatchObject({ n: 2, stream: true, partialImages: undefined, extra: { output_compression: 50 } });
    expect(refusalOf(() => parseImageEditFields(asFormFields({ model: 'm', prompt: 'p', stream: 'yes' })))).toMatchObject({ code: 'invalid_parameter', param: 'stream', message: "Invalid 'stream': must be a boolean." });
  });

  it('keeps JSON strict: a number sent as text is the caller’s mistake', () => {
    expect(refusalOf(() => parseImageFields({ model: 'm', prompt: 'p', n: '2' }))).toMatchObject({ code: 'invalid_parameter', param: 'n', message: "Invalid 'n': must be an integer." });
  });

  it('takes every embeddings input shape, mixed items included', () => {
    expect(parseEmbeddingsRequest({ model: 'm', input: [1, 2, 3] }).input).toEqual([[1, 2, 3]]);
    expect(parseEmbeddingsRequest({ model: 'm', input: ['a', [1]] }).input).toEqual(['a', [1]]);
    expect(parseEmbeddingsRequest({ model: 'm', input: 'a' }).input).toEqual(['a']);
  });
});
