import type { AuthorizedPayment } from '../../layers/x402/index.ts';
import { LOG_EVENT, logger, type MoneyContext } from '../../layers/core/observability/index.ts';

/** A settlement that must still happen: the authorized payment and the exact amount to settle. */
export interface PendingSettlement {
  readonly payment: AuthorizedPayment;
  readonly amount: bigint;
}

export interface SettlementQueue {
  /** `context` travels as message attributes, so the worker's log lines carry the request id too. */
  enqueue(pending: PendingSettlement, context?: MoneyContext): Promise<void>;
}

/** The message attribute the settlement worker reads the original request id from. */
export const REQUEST_ID_ATTRIBUTE = 'requestId';

// bigints do not survive JSON; they travel as tagged strings and come back as bigints.
const BIGINT = '__bigint:';
export const serializePending = (pending: PendingSettlement): string =>
  JSON.stringify(pending, (_key, value: unknown) => (typeof value === 'bigint' ? `${BIGINT}${value}` : value));
export const deserializePending = (text: string): PendingSettlement =>
  JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(BIGINT) ? BigInt(value.slice(BIGINT.length)) : value)) as PendingSettlement;

/**
 * Queues a settlement for retry. When the queue itself cannot be reached, the answer has already been served
 * and must still go out, so the settlement is written to the error log whole (`messageBody` is exactly what the
 * worker reads; an operator resends it to the settlements queue) and the receipt says `unqueued`. The signed
 * authorization in it can only move the payer's money to the merchant, for at most the amount it names.
 */
export const enqueueOrLog = async (queue: SettlementQueue, pending: PendingSettlement, context: MoneyContext = { requestId: 'unknown' }): Promise<'queued' | 'unqueued'> => {
  try {
    await queue.enqueue(pending, context);
    logger.warn('x402 settlement failed; queued for retry', { event: 'x402_settlement_queued', ...context, network: pending.payment.network });
    return 'queued';
  } catch (error) {
    // The metric filter behind the unqueued-settlements alarm matches this `event` (infra/lib/monitoring.ts).
    logger.error('An x402 settlement failed and could not be queued for retry; resend messageBody to the settlements queue.', {
      event: LOG_EVENT.settlementUnqueued,
      ...context,
      cause: error instanceof Error ? error.name : String(error),
      messageBody: serializePending(pending),
    });
    return 'unqueued';
  }
};
