/**
 * Base64 JSON header codec for PAYMENT-REQUIRED, PAYMENT-SIGNATURE and PAYMENT-RESPONSE.
 *
 * We always emit standard base64 with padding: the official `@x402/core` decoder rejects anything outside
 * `[A-Za-z0-9+/=]`, so base64url output would break every official client. We accept both alphabets, with or
 * without padding, because other clients (and the project's OpenAPI document) use base64url.
 */
import type * as z from 'zod';
import { PAYMENT_ERROR, paymentRefused } from './errors.ts';
import {
  paymentPayloadSchema,
  paymentRequiredSchema,
  settlementResponseSchema,
  type PaymentPayload,
  type PaymentRequired,
  type SettlementResponse,
} from './schemas.ts';

/** Headers beyond this are refused before decoding; a real payload is well under 4 KB. */
const MAX_HEADER_LENGTH = 16 * 1024;
const BASE64_ANY_ALPHABET = /^[A-Za-z0-9+/\-_]*={0,2}$/;

export const encodeBase64Json = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** Decodes standard base64 or base64url JSON; anything else is a `payment_malformed` refusal. */
export const decodeBase64Json = (header: string, what: string): unknown => {
  const trimmed = header.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_HEADER_LENGTH || !BASE64_ANY_ALPHABET.test(trimmed) || trimmed.length % 4 === 1) {
    throw paymentRefused(PAYMENT_ERROR.malformed, `${what} is not base64 or base64url.`);
  }
  // Node's base64 decoder accepts both alphabets and missing padding once the characters are validated above.
  const text = Buffer.from(trimmed, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw paymentRefused(PAYMENT_ERROR.malformed, `${what} does not decode to JSON.`);
  }
};

const parseWith = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw paymentRefused(PAYMENT_ERROR.malformed, `${what} is invalid${where}: ${issue?.message ?? 'unknown shape'}.`);
  }
  return parsed.data;
};

export const encodePaymentRequiredHeader = (value: PaymentRequired): string => encodeBase64Json(value);
export const decodePaymentRequiredHeader = (header: string): PaymentRequired =>
  parseWith(paymentRequiredSchema, decodeBase64Json(header, 'PAYMENT-REQUIRED'), 'PAYMENT-REQUIRED');

export const encodePaymentSignatureHeader = (value: PaymentPayload): string => encodeBase64Json(value);
export const decodePaymentSignatureHeader = (header: string): PaymentPayload =>
  parseWith(paymentPayloadSchema, decodeBase64Json(header, 'PAYMENT-SIGNATURE'), 'PAYMENT-SIGNATURE');

export const encodePaymentResponseHeader = (value: SettlementResponse): string => encodeBase64Json(value);
export const decodePaymentResponseHeader = (header: string): SettlementResponse =>
  parseWith(settlementResponseSchema, decodeBase64Json(header, 'PAYMENT-RESPONSE'), 'PAYMENT-RESPONSE');

/** Validates a scheme-specific `payload` object (already decoded) against its schema. */
export const parsePayloadAs = <S extends z.ZodType>(schema: S, value: unknown, scheme: string): z.output<S> =>
  parseWith(schema, value, `the ${scheme} payment payload`);
