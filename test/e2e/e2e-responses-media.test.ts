/**
 * `POST /v1/responses` asking for media through `modalities` (and vision through `image_url`), end to end
 * against the local runtime: served by the media path (paid, receipted), answered and stored as Responses
 * objects with typed output items that match the OpenAPI document, retrievable by id; `stream: true` as
 * Responses events around the one answer; the external mirror; the record written only once the charge is
 * final (and a record that cannot be written never costs the answer); bad input is a 400.
 * (Video responses: e2e-responses-video.test.ts.)
 */
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ELEVENLABS_SIM_VOICES } from '../../infra/local/simulators/elevenlabs-media/server.ts';
import { ensureTables } from '../../infra/local/standins/dynamodb.ts';
import { createKeyLedger } from '../../shared/keys/index.ts';
import type { ReceiptBody } from '../../shared/receipts/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { physicalTableName } from '../../layers/core/tables.ts';
import { dataFrames, isComment, parseSse, startE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract, expectMatchesSchema } from '../support/openapi.ts';
import { atomic, catalogPrice, expectCharge, pngBytes, receiptOf } from '../support/media-e2e.ts';
import { decodePng } from '../support/media-providers.ts';

let gateway: E2eRuntime;
let dynamo: DynamoDBClient;
let doc: ReturnType<typeof createDocumentClient>;
let ledger: ReturnType<typeof createKeyLedger>;

beforeAll(async () => {
  // Keep-alives every 250 ms and a 3 s provider deadline, so a silent provider shows both.
  gateway = await startE2eRuntime({ chain: false, videos: false, env: { SSE_HEARTBEAT_MS: '250', MEDIA_DEADLINE_MS: '3000' } });
  dynamo = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, endpoint: gateway.env.AWS_ENDPOINT_URL_DYNAMODB });
  doc = createDocumentClient(dynamo);
  ledger = createKeyLedger({ client: doc, tableName: physicalTableName('local', 'ledgers') });
});
afterAll(async () => {
  dynamo?.destroy();
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
  receipt?: ReceiptBody;
}

const create = async (body: Record<string, unknown>, key = gateway.apiKey): Promise<{ response: Response; body: ResponseBody }> => {
  const response = await gateway.post('/v1/responses', body, { authorization: `Bearer ${key}` });
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

const refusal = async (body: Record<string, unknown>, path = '/v1/responses'): Promise<{ status: number; code: string; param?: string }> => {
  const response = await gateway.post(path, body);
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

describe('CLIP (zero-shot classification) through image_url', () => {
  const image = `data:image/png;base64,${pngBytes(320, 240, 3).toString('base64')}`;

  it('scores the image against the labels sent in `labels`, most likely first', async () => {
    const { body } = await create({ model: 'clip-vit-b-16', image_url: image, labels: ['a cat', 'a dog', 'a bicycle'] });
    const item = body.output[0]!;
    expect(item).toMatchObject({ type: 'vision_result', operation: 'image-classification' });
    const result = item.result as { predictions: { class: string; confidence: number }[]; top: string };
    expect(result.predictions.map((p) => p.class).sort()).toEqual(['a bicycle', 'a cat', 'a dog']);
    expect(result.predictions.map((p) => p.confidence)).toEqual([...result.predictions.map((p) => p.confidence)].sort((a, b) => b - a));
    expect(result.top).toBe(result.predictions[0]!.class);
  });

  it('takes the labels from the input text, separated by commas or lines, when `labels` is absent', async () => {
    const { body } = await create({ model: 'clip-vit-b-16', image_url: image, modalities: ['image'], input: 'sunset, harbour\nlighthouse' });
    const result = body.output[0]!.result as { predictions: { class: string }[] };
    expect(result.predictions.map((p) => p.class).sort()).toEqual(['harbour', 'lighthouse', 'sunset']);
  });

  it('refuses a CLIP call with no labels before anything is charged', async () => {
    expect(await refusal({ model: 'clip-vit-b-16', image_url: image })).toEqual({ status: 400, code: 'missing_labels', param: 'labels' });
    expect(await refusal({ model: 'clip-vit-b-16', image_url: image, input: ' , \n ' })).toEqual({ status: 400, code: 'missing_labels', param: 'labels' });
  });
});

describe('language (speech)', () => {
  it('speaks in the language asked for where the provider takes one (ElevenLabs, Cartesia), through Responses and the speech route', async () => {
    const { body } = await create({ model: 'eleven_flash_v2_5', input: 'Bonjour tout le monde.', modalities: ['audio'], voice: ELEVENLABS_SIM_VOICES[0], language: 'fr' });
    expect(body.output[0]).toMatchObject({ type: 'output_audio', mime_type: 'audio/mpeg' });
    const speech = await gateway.post('/v1/audio/speech', { model: 'sonic-3', input: 'Hola a todos.', voice: '694f9389-aac1-45b6-b726-9d9369183238', language: 'es' });
    expect(speech.status).toBe(200);
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
  });

  it('refuses a language where the provider has no place for one, one that is not ISO 639-1, and one the model cannot enforce', async () => {
    expect(await refusal({ model: 'tts-1', input: 'hello', modalities: ['audio'], voice: 'nova', language: 'fr' })).toEqual({ status: 400, code: 'unsupported_parameter', param: 'language' });
    expect(await refusal({ model: 'tts-1', input: 'hello', voice: 'nova', language: 'fr' }, '/v1/audio/speech')).toEqual({ status: 400, code: 'unsupported_parameter', param: 'language' });
    expect(await refusal({ model: 'eleven_flash_v2_5', input: 'hello', modalities: ['audio'], voice: ELEVENLABS_SIM_VOICES[0], language: 'french' })).toEqual({ status: 400, code: 'invalid_language', param: 'language' });
    // ElevenLabs itself refuses language enforcement on its multilingual v2 model.
    expect(await refusal({ model: 'eleven_multilingual_v2', input: 'hello', modalities: ['audio'], voice: ELEVENLABS_SIM_VOICES[0], language: 'fr' })).toMatchObject({ status: 400, code: 'upstream_bad_request' });
  });

  it('passes instructions to a steerable voice', async () => {
    const { body } = await create({ model: 'gpt-4o-mini-tts', input: 'Good evening.', modalities: ['audio'], voice: 'coral', instructions: 'Speak softly.' });
    expect(body).toMatchObject({ instructions: 'Speak softly.', output: [{ type: 'output_audio' }] });
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

  it.each([
    [{ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], voice: 'nova' }, 'voice'],
    [{ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], duration: 4 }, 'duration'],
    [{ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], temperature: 0.2 }, 'temperature'],
    [{ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], instructions: 'be brief' }, 'instructions'],
    [{ model: 'text-embedding-3-small', input: 'x', modalities: ['embedding'], size: '1024x1024' }, 'size'],
    [{ model: 'text-embedding-3-small', input: 'x', modalities: ['embedding'], tools: [] }, 'tools'],
    [{ model: 'tts-1', input: 'x', modalities: ['audio'], voice: 'nova', n: 2 }, 'n'],
    [{ model: 'tts-1', input: 'x', modalities: ['audio'], voice: 'nova', aspect_ratio: '16:9' }, 'aspect_ratio'],
    [{ model: 'tts-1', input: 'x', modalities: ['audio'], voice: 'nova', instructions: 'whisper' }, 'instructions'],
    [{ model: 'yolov8n-640', image_url: 'https://example.com/a.jpg', quality: 'high' }, 'quality'],
    [{ model: 'yolov8n-640', image_url: 'https://example.com/a.jpg', labels: ['cat'] }, 'labels'],
    [{ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], previous_response_id: 'resp_1' }, 'previous_response_id'],
  ])('refuses a field the media call has no use for: %j → 400 unsupported_parameter', async (body, param) => {
    expect(await refusal(body)).toEqual({ status: 400, code: 'unsupported_parameter', param });
  });

  it('refuses a stream that is not a boolean and labels that are not strings', async () => {
    expect(await refusal({ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], stream: 'yes' })).toEqual({ status: 400, code: 'invalid_stream', param: 'stream' });
    expect(await refusal({ model: 'clip-vit-b-16', image_url: 'https://example.com/a.jpg', labels: [] })).toEqual({ status: 400, code: 'invalid_labels', param: 'labels' });
  });

  it('leaves text requests to the text path', async () => {
    const { body } = await create({ model: 'gpt-4o-mini', input: 'hi', modalities: ['text'] });
    expect(body.output[0]).toMatchObject({ type: 'message' });
  });
});

/** A streamed call's frames as written (keep-alive comments kept apart), with their JSON. */
const rawStream = async (body: Record<string, unknown>, path = '/v1/responses', key = gateway.apiKey, extra: Record<string, string> = {}) => {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await response.text();
  const all = response.headers.get('content-type')?.startsWith('text/event-stream') ? parseSse(text) : [];
  return { response, text, all, frames: dataFrames(all), names: dataFrames(all).map((f) => f.event ?? f.data) };
};

type Event = { type: string; sequence_number: number; response?: ResponseBody; item?: Item; output_index?: number };

const storedResponses = async (): Promise<number> => (await doc.send(new ScanCommand({ TableName: physicalTableName('local', 'responses'), Select: 'COUNT' }))).Count ?? 0;

describe('stream: true', () => {
  it('streams images as OpenAI\u2019s image tool does, item by item, then [DONE] and the receipt (opted in); the record matches', async () => {
    const { response, frames, names } = await rawStream({ model: 'gpt-image-1', input: 'a red kite', modalities: ['image'], n: 2, size: '1024x1024', quality: 'low' }, '/v1/responses', gateway.apiKey, { 'x-compose-events': 'true' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-routing-final-model')).toBe('gpt-image-1');
    const perImage = [
      'response.output_item.added',
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.completed',
      'response.output_item.done',
    ];
    expect(names).toEqual(['response.created', 'response.in_progress', ...perImage, ...perImage, 'response.completed', '[DONE]', 'compose.receipt']);
    const events = frames.slice(0, -2).map((f) => f.json as Event & { item_id?: string });
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    for (const [i, frame] of frames.slice(0, -2).entries()) expect(events[i]!.type).toBe(frame.event);
    const created = events[0]!;
    const [added, , , , done] = events.slice(2, 7) as [Event, Event, Event, Event, Event];
    const secondDone = events[11]!;
    const completed = events.at(-1)!;
    expectMatchesSchema('ResponseObject', created.response);
    expect(created.response).toMatchObject({ status: 'in_progress', output: [] });
    expect(response.headers.get('x-compose-response-id')).toBe(created.response!.id);
    expect(added).toMatchObject({ output_index: 0, item: { type: 'image_generation_call', status: 'in_progress' } });
    for (const event of events.slice(3, 6)) expect(event).toMatchObject({ output_index: 0, item_id: added.item!.id });
    expect(done).toMatchObject({ output_index: 0, item: { id: added.item!.id, type: 'image_generation_call', status: 'completed' } });
    expect(secondDone.output_index).toBe(1);
    expect(decodePng(Buffer.from(done.item!.result as string, 'base64'))).toEqual({ width: 1024, height: 1024 });
    expectMatchesSchema('ResponseObject', completed.response);
    expect(completed.response).toMatchObject({ id: created.response!.id, status: 'completed' });
    expect(completed.response!.output).toEqual([done.item, secondDone.item]);
    const receipt = frames.at(-1)!.json as { type: string } & ReceiptBody;
    expect(receipt.type).toBe('compose.receipt');
    expectCharge(receipt, { key: 'images', unit: 'images', quantity: 2, amount: atomic(2 * catalogPrice('gpt-image-1', 'openai', 'image-generation', 'low:1024x1024')), entry: 'low:1024x1024' });
    // Recorded once the charge was final: the completed response with its receipt.
    const { type: _, ...receiptBody } = receipt;
    // response.completed carries the same receipt, and is what was recorded.
    expect(completed.response).toMatchObject({ receipt: receiptBody });
    expect(await retrieve(created.response!.id)).toEqual(completed.response);
  });

  it('sends partial images as the provider renders them, when partial_images asks', async () => {
    const { frames, names } = await rawStream({ model: 'gpt-image-1', input: 'a kite, slowly', modalities: ['image'], partial_images: 2, size: '1024x1024', quality: 'low' });
    expect(names.filter((n) => n === 'response.image_generation_call.partial_image')).toHaveLength(2);
    const partials = frames.filter((f) => f.event === 'response.image_generation_call.partial_image').map((f) => f.json as { item_id: string; output_index: number; partial_image_index: number; partial_image_b64: string });
    const done = frames.find((f) => f.event === 'response.output_item.done')!.json as Event;
    expect(partials.map((p) => [p.output_index, p.partial_image_index, p.item_id])).toEqual([
      [0, 0, done.item!.id],
      [0, 1, done.item!.id],
    ]);
    for (const partial of partials) expect(decodePng(Buffer.from(partial.partial_image_b64, 'base64'))).toEqual({ width: 1024, height: 1024 });
    // Renderings on the way, not the picture itself.
    expect(partials.map((p) => p.partial_image_b64)).not.toContain(done.item!.result);
    // Without `x-compose-events` the receipt is the terminal event's.
    const completed = frames.find((f) => f.event === 'response.completed')!.json as { response: { receipt: ReceiptBody } };
    expectCharge(completed.response.receipt, { key: 'images', unit: 'images', quantity: 1, amount: atomic(catalogPrice('gpt-image-1', 'openai', 'image-generation', 'low:1024x1024')), entry: 'low:1024x1024' });
  });

  it('refuses partial_images out of range, and on a modality without images', async () => {
    expect(await refusal({ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], stream: true, partial_images: 4 })).toMatchObject({ status: 400, param: 'partial_images' });
    expect(await refusal({ model: 'tts-1', input: 'hi', modalities: ['audio'], voice: 'alloy', stream: true, partial_images: 1 })).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'partial_images' });
  });

  it('streams embeddings, speech and vision the same way', async () => {
    for (const body of [
      { model: 'text-embedding-3-small', input: ['one', 'two'], modalities: ['embedding'] },
      { model: 'tts-1', input: 'Streamed speech.', modalities: ['audio'], voice: 'alloy' },
      { model: 'yolov8n-640', image_url: 'https://example.com/street.jpg' },
    ]) {
      const { names, frames } = await rawStream(body);
      const items = body.modalities?.[0] === 'embedding' ? 2 : 1;
      expect(names.filter((n) => n === 'response.output_item.done')).toHaveLength(items);
      expect(names.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
      // Without `x-compose-events` only OpenAI's event types: the receipt rides in response.completed.
      expect(names.slice(-2)).toEqual(['response.completed', '[DONE]']);
      const completed = (frames.at(-2)!.json as Event).response!;
      expectMatchesSchema('ResponseObject', completed);
      expect((completed as unknown as { receipt: ReceiptBody }).receipt).toMatchObject({ final_amount_wei: expect.stringMatching(/^[1-9][0-9]*$/) });
    }
  });

  it('answers a provider refusal before the answer as an HTTP error: nothing charged, nothing recorded', async () => {
    const key = await gateway.mintDevKey(1);
    const before = await storedResponses();
    const { response, text } = await rawStream({ model: 'tts-1', input: 'SIM_FAULT=400 no', modalities: ['audio'], voice: 'alloy' }, '/v1/responses', key);
    expect(response.status).toBe(400);
    expect((JSON.parse(text) as { error: { code: string } }).error.code).toBe('upstream_bad_request');
    expect(await storedResponses()).toBe(before);
    const keyId = (await create({ model: 'text-embedding-3-small', input: 'probe', modalities: ['embedding'] }, key)).body.receipt!.subject!.replace('compose-key:', '');
    expect((await ledger.getLedger(keyId))!.reserved).toBe(0n);
  });

  it('keeps a silent provider\u2019s stream alive, then reports its timeout in-band after the first byte and charges nothing', async () => {
    const key = await gateway.mintDevKey(1);
    const before = await storedResponses();
    const { response, all, names, frames } = await rawStream({ model: 'tts-1', input: 'SIM_FAULT=timeout', modalities: ['audio'], voice: 'alloy' }, '/v1/responses', key);
    expect(response.status).toBe(200);
    expect(all.filter(isComment).length).toBeGreaterThan(0);
    // Not opted in to compose events: the failure is OpenAI's in-band `data: {error}`.
    expect(frames.map((f) => f.event)).toEqual([undefined, undefined]);
    expect(names[1]).toBe('[DONE]');
    expect((frames[0]!.json as { error: { code: string } }).error.code).toBe('upstream_timeout');
    expect(await storedResponses()).toBe(before);
    // The whole budget is still there: a dollar of speech at tts-1's price is far more than this probe.
    const probe = await create({ model: 'text-embedding-3-small', input: 'probe', modalities: ['embedding'] }, key);
    const keyId = probe.body.receipt!.subject!.replace('compose-key:', '');
    expect(await ledger.getLedger(keyId)).toMatchObject({ reserved: 0n, spent: BigInt(probe.body.receipt!.final_amount_wei) });
  });
});

describe('the external mirror (/external/v1/responses)', () => {
  const externalPost = (body: Record<string, unknown>) =>
    fetch(`${gateway.url}/external/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('dispatches media as natively, in OpenAI\u2019s shapes: no receipt, the diagnostic headers', async () => {
    for (const body of [
      { model: 'gpt-image-1', input: 'an outside cat', modalities: ['image'], quality: 'low' },
      { model: 'text-embedding-3-small', input: 'outside', modalities: ['embedding'] },
      { model: 'tts-1', input: 'Outside.', modalities: ['audio'], voice: 'alloy' },
      { model: 'yolov8n-640', image_url: 'https://example.com/street.jpg' },
    ]) {
      const response = await externalPost(body);
      const json = (await response.json()) as ResponseBody;
      expect(response.status, JSON.stringify(json)).toBe(200);
      expectMatchesContract('/external/v1/responses', 'post', 200, json);
      expect(json).not.toHaveProperty('receipt');
      expect(json.status).toBe('completed');
      expect(response.headers.get('x-compose-receipt')).toBeNull();
      expect(response.headers.get('x-compose-public-model')).toBe(body.model);
      expect(response.headers.get('x-compose-upstream-provider')).toBeTruthy();
      // Stored for the same key, as text responses are.
      expect((await retrieve(json.id)).output).toEqual(json.output);
    }
  });

  it('streams without compose events', async () => {
    const { names, frames } = await rawStream({ model: 'text-embedding-3-small', input: 'outside', modalities: ['embedding'] }, '/external/v1/responses');
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.output_item.done', 'response.completed', '[DONE]']);
    expect((frames[4]!.json as Event).response).not.toHaveProperty('receipt');
  });

  it('sanitizes provider errors and names where the call was routed; refuses bad fields as natively', async () => {
    const response = await externalPost({ model: 'tts-1', input: 'SIM_FAULT=leak', modalities: ['audio'], voice: 'alloy' });
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect([response.status, body.error.code]).toEqual([400, 'upstream_bad_request']);
    expect(body.error.message).not.toMatch(/sim-openai-key|https?:|internal\.openai/);
    expect(response.headers.get('x-compose-upstream-provider')).toBe('openai');
    expect(response.headers.get('x-compose-upstream-model')).toBe('tts-1');
    expect(await refusal({ model: 'gpt-image-1', input: 'a cat', modalities: ['image'], voice: 'nova' }, '/external/v1/responses')).toEqual({ status: 400, code: 'unsupported_parameter', param: 'voice' });
  });
});

describe('the record and the money', () => {
  it('writes the record only for a call that was charged: a refused payment and a failed provider call leave none', async () => {
    const poor = await gateway.mintDevKey(0.000001);
    const before = await storedResponses();
    const refused = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${poor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-image-1', input: 'too dear', modalities: ['image'], quality: 'high' }),
    });
    expect(refused.status).toBe(402);
    expect((await refusal({ model: 'tts-1', input: 'SIM_FAULT=500', modalities: ['audio'], voice: 'alloy' })).status).toBeGreaterThanOrEqual(500);
    expect(await storedResponses()).toBe(before);
  });

  it('still delivers (and charges) the paid answer when the record cannot be written', async () => {
    const key = await gateway.mintDevKey(1);
    await dynamo.send(new DeleteTableCommand({ TableName: physicalTableName('local', 'responses') }));
    try {
      const response = await fetch(`${gateway.url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'text-embedding-3-small', input: 'paid for', modalities: ['embedding'] }),
      });
      const body = (await response.json()) as ResponseBody;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.output[0]).toMatchObject({ type: 'embedding' });
      const receipt = receiptOf(response);
      expect(body.receipt).toEqual(receipt);
      expect(await ledger.getLedger(receipt.subject!.replace('compose-key:', ''))).toMatchObject({ reserved: 0n, spent: BigInt(receipt.final_amount_wei) });
      const streamed = await rawStream({ model: 'text-embedding-3-small', input: 'streamed, paid for', modalities: ['embedding'] }, '/v1/responses', key);
      expect(streamed.names.slice(-2)).toEqual(['response.completed', '[DONE]']);
    } finally {
      await ensureTables(dynamo, 'local');
    }
  });
});
