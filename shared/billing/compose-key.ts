import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '../http/request.ts';
import { assertModelAllowed, type KeyLedger, type KeyVerifier } from '../keys/index.ts';
import { revokedKey } from '../keys/errors.ts';
import { meter } from '../pricing/index.ts';
import { buildReceipt, receiptHeaders } from '../receipts/index.ts';
import { logger } from '../../layers/core/observability/index.ts';
import { heldPayment } from './lifecycle.ts';
import type { Payer, Payment, PriceContext, Settled } from './types.ts';

export interface ComposeKeyBillingOptions {
  readonly verifier: KeyVerifier;
  readonly ledger: KeyLedger;
  readonly feeBps?: number;
}

/**
 * A Compose Key pays from its budget: the JWT is verified without I/O, then one conditional write reserves the
 * worst case. Settling charges the metered amount and returns the rest; a failed call releases everything.
 */
export const composeKeyPayer = async (http: HttpRequest, { verifier, ledger, feeBps }: ComposeKeyBillingOptions): Promise<Payer> => {
  const claims = await verifier.authenticate(http.headers.authorization);
  return {
    caller: { id: `key:${claims.keyId}` },
    assertMayCreate: async () => {
      // The same ledger flag `reserve` checks in its condition, read consistently: a revocation counts at once.
      if ((await ledger.getLedger(claims.keyId))?.revoked) throw revokedKey();
    },
    charge: async (price: PriceContext): Promise<Payment> => {
      assertModelAllowed(claims, price.modelId);
      const reservationId = randomUUID();
      const reserved = price.quote.amount;
      await ledger.reserve(claims.keyId, reserved, reservationId, claims, price.holdSeconds);
      return heldPayment({
        caller: { id: `key:${claims.keyId}` },
        release: async () => {
          await ledger.release(claims.keyId, reservationId, reserved);
        },
        settle: async (measured): Promise<Settled> => {
          const charge = meter(price.units, measured, feeBps === undefined ? {} : { feeBps });
          const settlement = await ledger.settle(claims.keyId, reservationId, reserved, BigInt(charge.final_amount_wei));
          const receipt = buildReceipt({
            subject: `compose-key:${claims.keyId}`,
            lineItems: charge.line_items,
            providerAmount: charge.provider_amount_wei,
            platformFee: charge.platform_fee_wei,
            finalAmount: charge.final_amount_wei,
            paymentMethod: 'compose_key',
            // The ledger settled: nothing is queued for a key, ever. The output cap keeps the metered amount within
            // the hold; were it ever above, the excess is not charged (the key never pays past its hold) and is
            // logged for the operator rather than receipted as a payment still to come.
            settled: true,
          });
          if (settlement.uncharged > 0n) {
            logger.error('metered above the hold', { event: 'key_metered_above_hold', requestId: http.requestId, payer: `key:${claims.keyId}`, uncharged: settlement.uncharged.toString() });
          }
          return { receipt, headers: receiptHeaders(receipt) };
        },
      });
    },
  };
};
