/** What the media end-to-end tests share: audio and image fixtures made locally, receipts, expected charges. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { toFile, type Uploadable } from 'openai';
import { expect } from 'vitest';
import { silentMp3 } from '../../infra/local/simulators/openai-media/encode/mp3.ts';
import { promptPicture } from '../../infra/local/simulators/openai-media/encode/png.ts';
import { tonePcm } from '../../infra/local/simulators/openai-media/encode/tone.ts';
import { getModel } from '../../shared/catalog/index.ts';
import { createKeyLedger } from '../../shared/keys/index.ts';
import { wavFromPcm } from '../../layers/core/media/formats/wav.ts';
import { decodeReceiptHeader, type ReceiptBody } from '../../shared/receipts/index.ts';
import { tableNameFromEnv } from '../../layers/core/tables.ts';

/** A WAV of exactly `seconds` (16 kHz, 16-bit mono: 32 000 bytes a second). */
export const wavBytes = (seconds: number): Buffer => Buffer.from(wavFromPcm(tonePcm(seconds, 16_000), { sampleRate: 16_000, channels: 1, bitsPerSample: 16 }));
export const mp3Bytes = (seconds: number): Buffer => silentMp3(seconds);
export const pngBytes = (width: number, height: number, seed = 1): Buffer => promptPicture(width, height, seed);

export const upload = (data: Buffer, name: string, type?: string): Promise<Uploadable> => toFile(data, name, type ? { type } : undefined);

export const receiptOf = (response: Response): ReceiptBody => {
  const header = response.headers.get('x-compose-receipt');
  expect(header, 'the answer carries X-Compose-Receipt').toBeTruthy();
  expect(response.headers.get('x-receipt')).toBe(header);
  return decodeReceiptHeader(header!);
};

/** USD per unit of a model's price entry, as the catalog states it. */
export const catalogPrice = (model: string, provider: string, operation: string, entry: string): number => {
  const row = getModel(model, provider);
  const unit = row.operations.find((o) => o.operation === operation)!.pricingUnits[0]!;
  return unit.entries[entry]!;
};

/** ⌈usd × 10⁶⌉ as USDC atomic units, computed here independently of the pricing engine. */
export const atomic = (usd: number): string => String(Math.ceil(Math.round(usd * 1e12) / 1e6));

/** One line item with its amount, and a receipt that is settled and adds up (no platform fee is configured). */
export const expectCharge = (receipt: ReceiptBody, line: { key: string; unit: string; quantity: number; amount: string; entry?: string }): void => {
  expect(receipt.line_items).toHaveLength(1);
  expect(receipt.line_items[0]).toMatchObject({ key: line.key, unit: line.unit, amount_wei: line.amount, ...(line.entry ? { price_entry: line.entry } : {}) });
  expect(receipt.line_items[0]!.quantity).toBeCloseTo(line.quantity, 9);
  expect(receipt).toMatchObject({ provider_amount_wei: line.amount, platform_fee_wei: '0', final_amount_wei: line.amount, settled: true, payment_method: 'compose_key' });
};

/** The ways a request is refused: a status, a stable code and (usually) the parameter at fault. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly param?: string;
}

export const multipart = (fields: Record<string, string>, files: readonly { name: string; data: Buffer; filename: string; type?: string }[]): FormData => {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append(file.name, new Blob([file.data], { type: file.type ?? 'application/octet-stream' }), file.filename);
  return form;
};

/** A key's spend once no call holds any of its budget: what it was charged (waits for a hung-up stream's settle). */
export const settledSpend = async (env: Readonly<Record<string, string>>, token: string): Promise<bigint> => {
  const dynamo = new DynamoDBClient({ endpoint: env['AWS_ENDPOINT_URL_DYNAMODB'], region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const ledger = createKeyLedger({ client: DynamoDBDocumentClient.from(dynamo), tableName: tableNameFromEnv('ledgers', env) });
    const keyId = decodeJwt(token.slice('compose-'.length)).jti!;
    for (let attempt = 0; attempt < 100; attempt++) {
      const now = await ledger.getLedger(keyId);
      if (now && now.reserved === 0n) return now.spent;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the hold was never settled or released');
  } finally {
    dynamo.destroy();
  }
};

/** Sends a streamed call, reads until `seen` has arrived, then hangs up. */
export const hangUpAfter = async (url: string, init: RequestInit, seen: string): Promise<void> => {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes(seen)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before ${seen}`);
    text += Buffer.from(value).toString('utf8');
  }
  controller.abort();
};
