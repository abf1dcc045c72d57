/**
 * A media route's answer before it becomes an HTTP result: text (JSON, transcripts) or bytes (audio). Bytes
 * become a base64 body with `isBase64Encoded` on buffered functions (what API Gateway decodes), or a byte
 * stream on response-streaming functions (the external family), where a base64 string would arrive as text.
 */
import { Readable } from 'node:stream';
import type { HttpResult } from '../http/response.ts';
import type { ReceiptBody } from '../receipts/index.ts';

export interface MediaAnswer {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  /**
   * A JSON answer that carries its call's receipt in the body as well (`receipt`), on native routes: the
   * payload the receipt joins once the call is settled. Bytes and plain text keep the receipt in headers only.
   */
  readonly receiptable?: Readonly<Record<string, unknown>>;
}

export const jsonAnswer = (payload: unknown, headers: Readonly<Record<string, string>> = {}): MediaAnswer => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(payload),
});

/** A JSON answer of a native media route, which also carries the receipt in its body once settled. */
export const receiptedJsonAnswer = (payload: Readonly<Record<string, unknown>>, headers: Readonly<Record<string, string>> = {}): MediaAnswer => ({
  ...jsonAnswer(payload, headers),
  receiptable: payload,
});

/** The answer with `receipt` in its body, when it is one that carries it. */
export const withReceipt = (answer: MediaAnswer, receipt: ReceiptBody): MediaAnswer =>
  answer.receiptable ? { statusCode: answer.statusCode, headers: answer.headers, body: JSON.stringify({ ...answer.receiptable, receipt }) } : answer;

export const textAnswer = (text: string, headers: Readonly<Record<string, string>> = {}): MediaAnswer => ({
  statusCode: 200,
  headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
  body: text,
});

export const bytesAnswer = (data: Uint8Array, contentType: string, headers: Readonly<Record<string, string>> = {}): MediaAnswer => ({
  statusCode: 200,
  headers: { 'content-type': contentType, ...headers },
  body: data,
});

export const withHeaders = (answer: MediaAnswer, headers: Readonly<Record<string, string>>): MediaAnswer => ({ ...answer, headers: { ...answer.headers, ...headers } });

export const toHttpResult = (answer: MediaAnswer, streaming: boolean): HttpResult => {
  const headers = { ...answer.headers };
  if (typeof answer.body === 'string') return { statusCode: answer.statusCode, headers, body: answer.body };
  const bytes = Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
  return streaming
    ? { statusCode: answer.statusCode, headers: { ...headers, 'content-length': String(bytes.byteLength) }, body: Readable.from([bytes]) }
    : { statusCode: answer.statusCode, headers, body: bytes.toString('base64'), isBase64Encoded: true };
};

/** Stored results hold text only: bytes are kept base64 with this marker header, removed again on replay. */
const STORED_ENCODING = 'x-compose-stored-encoding';

export const toStored = (answer: MediaAnswer): { statusCode: number; headers: Record<string, string>; body: string } =>
  typeof answer.body === 'string'
    ? { statusCode: answer.statusCode, headers: { ...answer.headers }, body: answer.body }
    : { statusCode: answer.statusCode, headers: { ...answer.headers, [STORED_ENCODING]: 'base64' }, body: Buffer.from(answer.body).toString('base64') };

export const fromStored = (stored: { statusCode: number; headers?: Record<string, string>; body: string | unknown }): MediaAnswer => {
  const { [STORED_ENCODING]: encoding, ...headers } = stored.headers ?? {};
  const body = typeof stored.body === 'string' ? stored.body : '';
  return { statusCode: stored.statusCode, headers, body: encoding === 'base64' ? Buffer.from(body, 'base64') : body };
};
