/**
 * x402 billing for the paid functions: the payments x402-from-env.ts configures, with failed settlements queued
 * on SQS for the settlement worker. Apart from x402-from-env.ts so the worker, which builds the payments but
 * never enqueues, does not load the SQS client.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueUrlFromEnv } from '../stores/queues.ts';
import type { X402Billing } from './billing.ts';
import { sqsSettlementQueue } from './sqs-settlement-queue.ts';
import { createX402Billing } from './x402.ts';
import { x402PaymentsFromEnv, type SecretValues } from './x402-from-env.ts';

export const x402BillingFromEnv = (env: NodeJS.ProcessEnv, doc: DynamoDBDocumentClient, sqs: SQSClient, secrets?: SecretValues): X402Billing | undefined => {
  const payments = x402PaymentsFromEnv(env, doc, secrets);
  return payments && createX402Billing({ ...payments, retries: sqsSettlementQueue(sqs, queueUrlFromEnv('settlements', env)) });
};
