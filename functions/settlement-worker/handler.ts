import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PROVIDER_SECRETS_ENV, createProviderCredentials } from '../../layers/providers/credentials.ts';
import { REQUEST_ID_ATTRIBUTE, deserializePending } from '../../shared/billing/settlement-queue.ts';
import { x402PaymentsFromEnv } from '../../shared/billing/x402-from-env.ts';
import { countSettlement, describeError, logger, withObservability, traced } from '../../layers/core/observability/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';

// Facilitator credentials, if the facilitator needs any, come from the provider secret.
const credentials = createProviderCredentials(process.env[PROVIDER_SECRETS_ENV] ? { secretsClient: traced(new SecretsManagerClient({})) } : {});
const payments = x402PaymentsFromEnv(process.env, createDocumentClient(), (name) => credentials.secretValue(name));

/**
 * Retries x402 settlements that failed after the model was served. A message that fails again is reported back
 * (partial batch response) and SQS redelivers it after its visibility timeout, up to the DLQ: never dropped.
 * A retried `exact` settlement reports the original transaction if it did land meanwhile, so nothing moves twice.
 */
export const handler = withObservability(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    // The request that was served; absent on a message resent by hand from the log (it names it there).
    const requestId = record.messageAttributes?.[REQUEST_ID_ATTRIBUTE]?.stringValue;
    try {
      if (!payments) throw new Error('x402 is not configured on this deployment');
      const { payment, amount } = deserializePending(record.body);
      const result = await payments.gate.settle(payment, payment.scheme === 'exact' ? {} : { amount });
      if (!result.success) throw new Error(`settlement failed: ${result.errorReason ?? 'unknown'}`);
      logger.info('settlement retried', { requestId, messageId: record.messageId, payer: payment.payer, transaction: result.transaction });
      countSettlement('retried');
    } catch (error) {
      // SQS delivers it again, up to the DLQ (whose depth alarms); each failed attempt is worth a line.
      logger.warn('settlement retry failed', { requestId, messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount, error: describeError(error) });
      countSettlement('retry_failed');
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
