/** The spec's `ReceiptBody` and `ReceiptLineItem`, as the gateway emits them (extra properties allowed, as in the spec). */
// A namespace import lets esbuild drop the parts of zod we do not use (its 40-odd locales among them).
import * as z from 'zod';

// The schemas are built on first use, not at import: the paid functions import this module for its types and
// SETTLEMENT_STATUS, only decodeReceiptHeader parses, and zod's schema construction is part of a cold start.
const atomicAmount = () => z.string().regex(/^[0-9]+$/);

const makeLineItemSchema = () => z.looseObject({
  key: z.string(),
  unit: z.string(),
  quantity: z.number(),
  unit_price_usd: z.number().optional(),
  amount_wei: atomicAmount(),
});

export const SETTLEMENT_STATUS = {
  /** Charged: the key ledger settled, or the x402 payment is on chain. */
  settled: 'settled',
  /** Served but not yet paid: the x402 settlement failed and is queued for retry. */
  queued: 'queued',
  /**
   * Served but not yet paid, and the retry queue was unreachable too: the settlement is written to the error log
   * (event `x402_settlement_unqueued`, its `messageBody` ready to resend to the settlements queue), never dropped.
   */
  unqueued: 'unqueued',
} as const;

const makeBodySchema = () => z.looseObject({
  subject: z.string().optional(),
  line_items: z.array(receiptLineItemSchema()),
  provider_amount_wei: atomicAmount(),
  platform_fee_wei: atomicAmount(),
  final_amount_wei: atomicAmount(),
  settled: z.boolean(),
  settlement_status: z.enum([SETTLEMENT_STATUS.settled, SETTLEMENT_STATUS.queued, SETTLEMENT_STATUS.unqueued]),
  payment_method: z.enum(['compose_key', 'x402']).optional(),
  tx_hash: z.string().optional(),
  network: z.string().regex(/^eip155:[0-9]+$/).optional(),
  settled_at: z.number().int().optional(),
});

let lineItemSchema: ReturnType<typeof makeLineItemSchema> | undefined;
let bodySchema: ReturnType<typeof makeBodySchema> | undefined;
export const receiptLineItemSchema = (): ReturnType<typeof makeLineItemSchema> => (lineItemSchema ??= makeLineItemSchema());
export const receiptBodySchema = (): ReturnType<typeof makeBodySchema> => (bodySchema ??= makeBodySchema());

export type ReceiptBody = z.infer<ReturnType<typeof makeBodySchema>>;
export type ReceiptLineItem = z.infer<ReturnType<typeof makeLineItemSchema>>;
