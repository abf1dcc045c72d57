/**
 * A receipt on the wire: base64url JSON in `X-Compose-Receipt` (route map) and `X-Receipt` (the OpenAPI
 * document names this one; both are sent), or an `event: compose.receipt` frame after `[DONE]` on native
 * streams (docs/decisions.md, "Where the receipt goes on a stream"). Decoding accepts standard base64 too, since clients re-encode headers as they like.
 */
import { InvalidRequestError } from '../../layers/core/errors.ts';
import { eventFrame } from '../../layers/core/sse/encode.ts';
import { receiptBodySchema, type ReceiptBody } from './schema.ts';

export const RECEIPT_HEADER = 'x-compose-receipt';
export const RECEIPT_HEADER_ALIAS = 'x-receipt';
export const RECEIPT_EVENT = 'compose.receipt';

export const encodeReceiptHeader = (receipt: ReceiptBody): string => Buffer.from(JSON.stringify(receipt), 'utf8').toString('base64url');

export const decodeReceiptHeader = (value: string): ReceiptBody => {
  const trimmed = value.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw new InvalidRequestError('invalid_receipt', 'The receipt is not base64.');
  let parsed: unknown;
  try {
    // Node's base64 decoder reads both alphabets, with or without padding.
    parsed = JSON.parse(Buffer.from(trimmed, 'base64').toString('utf8'));
  } catch (cause) {
    throw new InvalidRequestError('invalid_receipt', 'The receipt is not base64-encoded JSON.', { cause });
  }
  const result = receiptBodySchema().safeParse(parsed);
  if (!result.success) throw new InvalidRequestError('invalid_receipt', 'The receipt does not match the ReceiptBody schema.');
  return result.data;
};

/** Both header names, for non-streamed native responses. */
export const receiptHeaders = (receipt: ReceiptBody): Record<string, string> => {
  const encoded = encodeReceiptHeader(receipt);
  return { [RECEIPT_HEADER]: encoded, [RECEIPT_HEADER_ALIAS]: encoded };
};

/** The in-band SSE frame for native streams (never on `/external/*`). */
export const receiptEventFrame = (receipt: ReceiptBody): string => eventFrame(RECEIPT_EVENT, receipt);
