/** Receipts: built from a metered charge, sent as a header or an SSE event, stored with responses. */
export { buildReceipt, type ReceiptInput } from './build.ts';
export { decodeReceiptHeader, encodeReceiptHeader, receiptEventFrame, receiptHeaders, RECEIPT_EVENT, RECEIPT_HEADER, RECEIPT_HEADER_ALIAS } from './header.ts';
export { receiptBodySchema, receiptLineItemSchema, SETTLEMENT_STATUS, type ReceiptBody, type ReceiptLineItem } from './schema.ts';
