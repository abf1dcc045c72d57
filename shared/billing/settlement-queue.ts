import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AuthorizedPayment } from '../../layers/x402/index.ts';

/** A settlement that must still happen: the authorized payment and the exact amount to settle. */
export interface PendingSettlement {
  readonly payment: AuthorizedPayment;
  readonly amount: bigint;
}

export interface SettlementQueue {
  enqueue(pending: PendingSettlement): Promise<void>;
}

// bigints do not survive JSON; they travel as tagged strings and come back as bigints.
const BIGINT = '__bigint:';
export const serializePending = (pending: PendingSettlement): string =>
  JSON.stringify(pending, (_key, value: unknown) => (typeof value === 'bigint' ? `${BIGINT}${value}` : value));
export const deserializePending = (text: string): PendingSettlement =>
  JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(BIGINT) ? BigInt(value.slice(BIGINT.length)) : value)) as PendingSettlement;

export const sqsSettlementQueue = (sqs: SQSClient, queueUrl: string): SettlementQueue => ({
  enqueue: async (pending) => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: serializePending(pending) }));
  },
});
