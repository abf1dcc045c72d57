/**
 * Each media operation through the official `openai` SDK, once per provider that serves it, against the local
 * runtime and that provider's simulator. The tables are the place to add a provider: a row names the model
 * (and its voice); the checks are the same for every row — real media back, an OpenAPI-valid body, and a
 * receipt whose amount is the catalog price of what was measured.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../shared/catalog/index.ts';
import { sniffMedia } from '../../layers/core/media/formats/sniff.ts';
import { onProvider, sharedE2eRuntime, type E2eRuntime } from '../support/e2e.ts';
import { expectMatchesContract } from '../support/openapi.ts';
import { atomic, pngBytes, receiptOf, upload, wavBytes } from '../support/media-e2e.ts';
import { decodePng, norm } from '../support/media-providers.ts';

interface Row {
  readonly provider: string;
  readonly model: string;
}

const EMBEDDING_ROWS: readonly Row[] = [
  { provider: 'openai', model: 'text-embedding-3-small' },
  { provider: 'azure', model: 'text-embedding-3-small' },
  { provider: 'gemini', model: 'gemini-embedding-001' },
  { provider: 'vertex', model: 'gemini-embedding-001' },
];

const IMAGE_ROWS: readonly Row[] = [
  { provider: 'openai', model: 'gpt-image-1' },
  { provider: 'azure', model: 'gpt-image-1' },
  { provider: 'gemini', model: 'gemini-2.5-flash-image' },
  { provider: 'vertex', model: 'imagen-4.0-fast-generate-001' },
];

const EDIT_ROWS: readonly Row[] = [
  { provider: 'openai', model: 'gpt-image-1' },
  { provider: 'azure', model: 'gpt-image-1' },
];

const SPEECH_ROWS: readonly (Row & { readonly voice: string })[] = [
  { provider: 'openai', model: 'tts-1', voice: 'alloy' },
  { provider: 'azure', model: 'tts', voice: 'alloy' },
];

const TRANSCRIPTION_ROWS: readonly Row[] = [
  { provider: 'openai', model: 'whisper-1' },
  { provider: 'azure', model: 'whisper' },
];

let gateway: E2eRuntime;
let client: OpenAI;

beforeAll(async () => {
  gateway = await sharedE2eRuntime();
  client = gateway.client();
});
afterAll(async () => {
  await gateway?.close();
});

/** USD per unit of the row's price entry for an operation (per token/character: the catalog's per-million price / 10⁶). */
const unitPrice = (row: Row, operation: string, entry: string): number => {
  const unit = getModel(row.model, row.provider).operations.find((o) => o.operation === operation)!.pricingUnits[0]!;
  const perMillion = unit.unit.includes('million') ? 1e6 : 1;
  return unit.entries[entry]! / perMillion;
};

/** The receipt's single line, checked against the catalog: amount = ⌈quantity × price⌉ in atomic units. */
const expectCatalogCharge = (response: Response, row: Row, operation: string, key: string, entry: string): number => {
  const receipt = receiptOf(response);
  expect(receipt.line_items).toHaveLength(1);
  const line = receipt.line_items[0]!;
  expect(line.key).toBe(key);
  const price = unitPrice(row, operation, (line.price_entry as string | undefined) ?? entry);
  expect(line.amount_wei).toBe(atomic(line.quantity * price));
  expect(receipt.final_amount_wei).toBe(line.amount_wei);
  return line.quantity;
};

describe.each(EMBEDDING_ROWS)('embeddings on $provider ($model)', (row) => {
  it('returns unit-length vectors per input and charges their tokens', async () => {
    const { data, response } = await client.embeddings.create(onProvider({ model: row.model, input: ['one text', 'another text'], encoding_format: 'float' as const }, row.provider)).withResponse();
    expectMatchesContract('/v1/embeddings', 'post', 200, data);
    expect(data.data).toHaveLength(2);
    for (const item of data.data) expect(norm(item.embedding)).toBeCloseTo(1, 3);
    expect(expectCatalogCharge(response, row, 'embeddings', 'input_tokens', 'input')).toBe(data.usage.prompt_tokens);
  });
});

describe.each(IMAGE_ROWS)('image generation on $provider ($model)', (row) => {
  it('stores a real PNG behind a presigned URL and charges one image', async () => {
    const { data, response } = await client.images.generate(onProvider({ model: row.model, prompt: `a kite, by ${row.provider}`, size: '1024x1024' as const, quality: 'low' }, row.provider)).withResponse();
    expectMatchesContract('/v1/images/generations', 'post', 200, data);
    const download = await fetch(data.data![0]!.url!);
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect(sniffMedia(bytes)?.mediaType).toBe(download.headers.get('content-type'));
    if (sniffMedia(bytes)?.mediaType === 'image/png') expect(decodePng(bytes).width).toBeGreaterThan(0);
    expect(expectCatalogCharge(response, row, 'image-generation', 'images', 'default')).toBe(1);
  });
});

describe.each(EDIT_ROWS)('image edits on $provider ($model)', (row) => {
  it('edits an uploaded PNG and charges one image', async () => {
    const { data, response } = await client.images
      .edit(onProvider({ model: row.model, prompt: 'add a moon', image: await upload(pngBytes(64, 64), 'in.png', 'image/png'), size: '1024x1024' as const, quality: 'low' as const, response_format: undefined }, row.provider))
      .withResponse();
    expectMatchesContract('/v1/images/edits', 'post', 200, data);
    const bytes = new Uint8Array(await (await fetch(data.data![0]!.url!)).arrayBuffer());
    expect(sniffMedia(bytes)?.kind).toBe('image');
    expect(expectCatalogCharge(response, row, 'image-edit', 'images', 'default')).toBe(1);
  });
});

describe.each(SPEECH_ROWS)('speech on $provider ($model)', (row) => {
  it('answers real audio of the asked format and charges its characters', async () => {
    const input = `Spoken by ${row.provider}.`;
    const { data, response } = await client.audio.speech.create(onProvider({ model: row.model, input, voice: row.voice, response_format: 'mp3' as const }, row.provider)).withResponse();
    const audio = new Uint8Array(await data.arrayBuffer());
    expect(sniffMedia(audio)?.kind).toBe('audio');
    expect(response.headers.get('content-type')).toMatch(/^audio\//);
    expect(expectCatalogCharge(response, row, 'speech', 'input_characters', 'input')).toBe(input.length);
  });
});

describe.each(TRANSCRIPTION_ROWS)('transcription on $provider ($model)', (row) => {
  it('transcribes a WAV and charges at most its exact length', async () => {
    const { data, response } = await client.audio.transcriptions.create(onProvider({ model: row.model, file: await upload(wavBytes(5), 'clip.wav') }, row.provider)).withResponse();
    expectMatchesContract('/v1/audio/transcriptions', 'post', 200, data);
    expect(data.text.length).toBeGreaterThan(0);
    const minutes = expectCatalogCharge(response, row, 'transcription', 'audio_minutes', 'input');
    expect(minutes).toBeGreaterThan(0);
    expect(minutes).toBeLessThanOrEqual(5 / 60);
  });
});
