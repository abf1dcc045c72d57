/**
 * What happens to the money of a video that was never delivered. A video is charged in full at submission
 * (the price is exact: seconds × resolution), so a refund is a credit after the fact:
 *
 * - Compose Key: the charge is credited back to the key's ledger (`spent` → `available`) in ONE conditional
 *   UpdateItem that also writes a per-job marker attribute, so however often a failure is retried the key is
 *   credited once. The ledger API (shared/keys/ledger.ts) reserves, settles and releases but has no credit
 *   for an already settled amount, so this module writes the ledger item itself, with the ledger's own
 *   attribute names and key.
 * - x402: the payment was settled on-chain at submission; the gateway cannot pull a transfer back. The job
 *   records `not_refundable` with the payer and transaction in its receipt, for an operator to refund by hand.
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LEDGER_ATTR as A, ledgerKey } from '../keys/ledger-item.ts';
import type { VideoJob, VideoRefund } from './job.ts';

const KEY_SUBJECT = 'compose-key:';
const REFUND_MARKER = 'refund_';

export interface Refunds {
  /** Gives a job's charge back where the payment method allows it; says what happened either way. */
  refund(job: VideoJob, reason: string): Promise<VideoRefund>;
}

export interface RefundOptions {
  readonly doc: DynamoDBDocumentClient;
  /** The key ledgers table. */
  readonly ledgersTable: string;
}

const notRefundable = (reason: string): VideoRefund => ({ status: 'not_refundable', amount_wei: '0', reason });

export const createRefunds = ({ doc, ledgersTable }: RefundOptions): Refunds => ({
  refund: async (job, reason) => {
    const receipt = job.receipt;
    if (!receipt || receipt.final_amount_wei === '0') return notRefundable('Nothing was charged.');
    if (receipt.payment_method !== 'compose_key' || !receipt.subject?.startsWith(KEY_SUBJECT)) {
      return notRefundable(`${reason} The x402 payment was settled on-chain at submission and cannot be reversed by the gateway; the receipt names the payer and transaction for a manual refund.`);
    }
    const keyId = receipt.subject.slice(KEY_SUBJECT.length);
    const amount = BigInt(receipt.final_amount_wei);
    try {
      await doc.send(
        new UpdateCommand({
          TableName: ledgersTable,
          Key: ledgerKey(keyId),
          UpdateExpression: `SET ${A.spent} = ${A.spent} - :a, ${A.available} = ${A.available} + :a, #marker = :at`,
          ConditionExpression: `attribute_exists(${A.spent}) AND ${A.spent} >= :a AND attribute_not_exists(#marker)`,
          ExpressionAttributeNames: { '#marker': `${REFUND_MARKER}${job.id}` },
          ExpressionAttributeValues: { ':a': amount, ':at': Math.floor(Date.now() / 1000) },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      // Refused: either an earlier attempt already credited this job (its marker is there), or the ledger is gone.
      const { Item } = await doc.send(new GetCommand({ TableName: ledgersTable, Key: ledgerKey(keyId), ConsistentRead: true }));
      if (Item?.[`${REFUND_MARKER}${job.id}`] === undefined) return notRefundable(`${reason} The Compose Key's ledger no longer exists, so nothing could be credited.`);
    }
    return { status: 'refunded', amount_wei: amount.toString(), reason: `${reason} The charge was credited back to the Compose Key.` };
  },
});
