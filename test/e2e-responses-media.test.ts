/**
 * `POST /v1/responses` asking for media through `modalities` (and vision through `image_url`), end to end
 * against the local runtime: served by the media path (paid, receipted), answered and stored as Responses
 * objects with typed output items that match the OpenAPI document, retrievable by id; bad input is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2eRuntime, type E2eRuntime } from './support/e2e.ts';
import { expectMatchesContract } from './support/openapi.ts';
import { atomic, catalogPrice, expectCharge, pngBytes, receiptOf } from './media-e2e-support.ts';
import { decodePng } from './media-providers-support.ts';

let gateway: E2eRuntime;

beforeAll(async () => {
  gateway = await startE2eRuntime({ chain: false });
});
afterAll(async () => {
  await gateway?.close();
});

interface Item extends Record<string, unknown> {
  type: string;
  id: string;
}
interface ResponseBody {
  id: string;
  status: string;
  model: string;
  output: Item[];
  usage: Record<string, number> | null;
}

const create = async (body: Record<string, unknown>): Promise<{ response: Response; body: ResponseBody }> => {
  const response = await gateway.post('/v1/responses', body);
  const json = (await response.json()) as ResponseBody;
  expect(response.status, JSON.stringify(json)).toBe(200);
  expectMatchesContract('/v1/responses', 'post', 200, json);
  return { response, body: json };
};

/** The record as GET /v1/responses/{id} returns it, checked against the document. */
const retrieve = async (id: string): Promise<ResponseBody> => {
  const response = await gateway.fetch(`/v1/responses/${id}`);
  expect(response.status).toBe(200);
  const json = (await response.json()) as ResponseBody;
  expectMatchesContract('/v1/responses/{responseId}', 'get', 200, json);
  return json;
};

const refusal = async (body: Record<string, unknown>): Promise<{ status: number; code: string; param?: string }> => {
  const response = await gateway.post('/v1/responses', body);
  const json = (await response.json()) as { error: { code: string; param?: string } };
  return { status: response.status, code: json.error.code, ...(json.error.param ? { param: json.error.param } : {}) };
};

describe('modalities: image', () => {
  it('generates n images as image_generation_call items (base64 PNG at the size asked), billed per image, stored', async () => {
    const { response, body } = await create({ model: 'gpt-image-1', input: 'a red bicycle', modalities: ['image'], n: 2, size: '1536x1024', quality: 'medium' });
    expect(body).toMatchObject({ object: 'response', status: 'completed', model: 'gpt-image-1' });
    expect(body.output).toHaveLength(2);
    for (const item of body.output) {
      expect(item).toMatchObject({ type: 'image_generation_call', status: 'completed', size: '1536x1024', quality: 'medium' });
      expect(item.id).toMatch(/^ig_/);
      expect(decodePng(Buffer.from(item.result as string, 'base64'))).toEqual({ width: 1536, height: 1024 });
    }
    const each = catalogPrice('gpt-image-1', 'openai', 'image-generation', 'medium:1536x1024');
    expectCharge(receiptOf(response), { key: 'images', unit: 'images', quantity: 2, amount: atomic(2 * each), entry: 'medium:1536x1024' });
    expect(await retrieve(body.id)).toEqual(body);
  });

  it('takes the prompt from message input items and lists them as the input items', async () => {
    const input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a quiet harbour' }] }];
    const { body } = await create({ model: 'gpt-image-1', input, modalities: ['text', 'image'], quality: 'low' });
    expect(body.output).toHaveLength(1);
    expect(decodePng(Buffer.from(body.output[0]!.result as string, 'base64'))).toEqual({ width: 1024, height: 1024 });
    const items = (await (await gateway.fetch(`/v1/responses/${body.id}/input_items`)).json()) as { data: Item[] };
    expect(items.data).toMatchObject(input);
  });
});

describe('modalities: embedding', () => {
  it('embeds each input string as an embedding item in order, with token usage and a per-token charge', async () => {
    const { response, body } = await create({ model: 'text-embedding-3-small', input: ['the first text', 'a second one'], modalities: ['embedding'] });
    expect(body.output.map((item) => [item.type, item.index, (item.embedding as number[]).length])).toEqual([
      ['embedding', 0, 1536],
      ['embedding', 1, 1536],
    ]);
    const tokens = Math.ceil('the first text'.length / 4) + Math.ceil('a second one'.length / 4);
    expect(body.usage).toEqual({ input_tokens: tokens, output_tokens: 0, total_tokens: tokens });
    const price = catalogPrice('text-embedding-3-small', 'openai', 'embeddings', 'input') / 1e6;
    expectCharge(receiptOf(response), { key: 'input_tokens', unit: 'tokens', quantity: tokens, amount: atomic(tokens * price) });
    expect((await retrieve(body.id)).output).toEqual(body.output);
  });
});

describe('modalities: audio', () => {
  it('speaks the input with the voice and speed asked: an output_audio item whose presigned URL downloads the audio', async () => {
    const text = 'Hello from the responses API.';
    const { response, body } = await create({ model: 'tts-1', input: text, modalities: ['audio'], voice: 'nova', speed: 1.25 });
    expect(body.output).toHaveLength(1);
    const item = body.output[0]!;
    expect(item).toMatchObject({ type: 'output_audio', status: 'completed', mime_type: 'audio/mpeg', voice: 'nova' });
    const download = await fetch(item.url as string);
    expect(download.status).toBe(200);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(bytes.byteLength).toBe(item.bytes);
    // An MP3 frame sync or an ID3 tag opens the file.
    expect(bytes[0] === 0x49 || (bytes[0] === 0xff && (bytes[1]! & 0xe0) === 0xe0)).toBe(true);
    const perChar = catalogPrice('tts-1', 'openai', 'speech', 'input') / 1e6;
    expectCharge(receiptOf(response), { key: 'input_characters', unit: 'characters', quantity: text.length, amount: atomic(text.length * perChar) });
    expect((await retrieve(body.id)).output[0]!.url).toBe(item.url);
  });
});

describe('vision (roboflow) through image_url', () => {
  it('detects objects in a data-URL image and returns the predictions as a vision_result item', async () => {
    const image = `data:image/png;base64,${pngBytes(800, 600, 7).toString('base64')}`;
    const { response, body } = await create({ model: 'yolov8n-640', input: 'what is in this picture?', image_url: image, modalities: ['image'] });
    expect(body.model).toBe('yolov8n-640');
    const item = body.output[0]!;
    expect(item).toMatchObject({ type: 'vision_result', status: 'completed', operation: 'object-detection' });
    const result = item.result as { image: unknown; predictions: { class: string; confidence: number }[] };
    expect(result.image).toEqual({ width: 800, height: 600 });
    expect(Array.isArray(result.predictions)).toBe(true);
    expect(receiptOf(response).line_items[0]).toMatchObject({ unit: 'requests', quantity: 1 });
    expect(await retrieve(body.id)).toEqual(body);
  });

  it('needs no modalities when a detection model is given an image URL', async () => {
    const { body } = await create({ model: 'yolov8n-640', image_url: 'https://example.com/street.jpg' });
    expect((body.output[0]!.result as { image: unknown }).image).toEqual({ width: 640, height: 480 });
  });
});

describe('bad input', () => {
  it('refuses a model that cannot make the modality asked for', async () => {
    expect(await refusal({ model: 'tts-1', input: 'a cat', modalities: ['image'] })).toEqual({ status: 400, code: 'unsupported_operation', param: 'model' });
    expect(await refusal({ model: 'gpt-image-1', input: 'hello', modalities: ['audio'], voice: 'nova' })).toEqual({ status: 400, code: 'unsupported_operation', param: 'model' });
  });

  it('refuses an unknown voice, a speed out of range, a size the model is not priced for, and two media modalities', async () => {
    expect(await refusal({ model: 'tts-1', input: 'hello', modalities: ['audio'], voice: 'robot' })).toEqual({ status: 400, code: 'unknown_voice', param: 'voice' });
    expect(await refusal({ model: 'tts-1', input: 'hello', modalities: ['audio'], voice: 'nova', speed: 9 })).toEqual({ status: 400, code: 'invalid_speed', param: 'speed' });
    expect(await refusal({ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], size: '7x7' })).toEqual({ status: 400, code: 'unsupported_size', param: 'size' });
    expect(await refusal({ model: 'gpt-image-1', input: 'a cat', modalities: ['image', 'audio'] })).toEqual({ status: 400, code: 'unsupported_modalities', param: 'modalities' });
    expect(await refusal({ model: 'gpt-image-1', modalities: ['image'] })).toEqual({ status: 400, code: 'missing_input', param: 'input' });
    expect(await refusal({ model: 'yolov8n-640', image_url: 'ftp://example.com/x.png' })).toEqual({ status: 400, code: 'invalid_image_url', param: 'image_url' });
  });

  it('says video is not served here yet rather than answering text', async () => {
    expect(await refusal({ model: 'sora-2', input: 'a wave', modalities: ['video'] })).toEqual({ status: 400, code: 'unsupported_modality', param: 'modalities' });
  });

  it('leaves text requests to the text path', async () => {
    const { body } = await create({ model: 'gpt-4o-mini', input: 'hi', modalities: ['text'] });
    expect(body.output[0]).toMatchObject({ type: 'message' });
  });
});
