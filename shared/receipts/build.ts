/**
 * Receipts: what was charged, line by line, and whether it is paid. A receipt that does not add up is a bug
 * in the gateway, so building one refuses it rather than sending the client arithmetic it cannot trust.
 */
import { InternalError } from '../../layers/core/errors.ts';
import type { LineItem } from '../pricing/types.ts';
import { SETTLEMENT_STATUS, type ReceiptBody } from './schema.ts';

export interface ReceiptInput {
  /** Who paid: `compose-key:<keyId>` or the x402 payer's address. */
  readonly subject: string;
  readonly lineItems: readonly LineItem[];
  readonly providerAmount: bigint | string;
  readonly platformFee: bigint | string;
  readonly finalAmount: bigint | string;
  readonly paymentMethod?: 'compose_key' | 'x402';
  /** CAIP-2, e.g. `eip155:43113` (x402 only). */
  readonly network?: string;
  readonly txHash?: string;
  /** Epoch seconds; defaults to now for a settled receipt. */
  readonly settledAt?: number;
  /** False when the model was served but the x402 settlement is queued for retry: the receipt says so. */
  readonly settled: boolean;
  /** When not settled: whether the retry was queued (the default) or only logged because the queue was unreachable. */
  readonly retry?: 'queued' | 'unqueued';
}

const amount = (value: bigint | string, field: string): bigint => {
  if (typeof value === 'bigint') {
    if (value < 0n) throw new InternalError(`receipt ${field} is negative`);
    return value;
  }
  if (!/^[0-9]+$/.test(value)) throw new InternalError(`receipt ${field} is not an atomic amount`);
  return BigInt(value);
};

export const buildReceipt = (input: ReceiptInput): ReceiptBody => {
  const provider = amount(input.providerAmount, 'provider amount');
  const fee = amount(input.platformFee, 'platform fee');
  const final = amount(input.finalAmount, 'final amount');
  const lines = input.lineItems.reduce((sum, item) => sum + amount(item.amount_wei, `line item ${item.key}`), 0n);
  if (lines !== provider) throw new InternalError(`receipt line items add up to ${lines}, not the provider amount ${provider}`);
  if (provider + fee !== final) throw new InternalError(`receipt provider amount + fee is ${provider + fee}, not the final amount ${final}`);
  if (input.network !== undefined && !/^eip155:[0-9]+$/.test(input.network)) throw new InternalError('receipt network is not a CAIP-2 eip155 id');
  return {
    subject: input.subject,
    line_items: input.lineItems.map((item) => ({ ...item })),
    provider_amount_wei: provider.toString(),
    platform_fee_wei: fee.toString(),
    final_amount_wei: final.toString(),
    settled: input.settled,
    settlement_status: input.settled ? SETTLEMENT_STATUS.settled : SETTLEMENT_STATUS[input.retry ?? 'queued'],
    ...(input.paymentMethod ? { payment_method: input.paymentMethod } : {}),
    ...(input.network ? { network: input.network } : {}),
    ...(input.txHash ? { tx_hash: input.txHash } : {}),
    ...(input.settled ? { settled_at: input.settledAt ?? Math.floor(Date.now() / 1000) } : {}),
  };
};
