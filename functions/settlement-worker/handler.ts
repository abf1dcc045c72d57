import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { PROVIDER_SECRETS_ENV, createProviderCredentials } from '../../layers/providers/credentials.ts';
import { REQUEST_ID_ATTRIBUTE, deserializePending } from '../../shared/billing/settlement-queue.ts';
import { countSettlement, describeError, logger, withObservability } from '../../layers/core/observability/index.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';

// Facilitator credentials, if the facilitator needs any, come from the provider secret.
const credentials = createProviderCredentials(process.env[PROVIDER_SECRETS_ENV] ? { secretsClient: async () => (await import('../../shared/stores/secrets-client.ts')).createSecretsClient() } : {});
const doc = createDocumentClient();

type Payments = ReturnType<typeof import('../../shared/billing/x402-from-env.ts').x402PaymentsFromEnv>;
let loading: Promise<Payments> | undefined;
/**
 * x402 (its index, viem, the curves) loads with the first batch, not at init: a cold start evaluates only the
 * SDK clients and the queue's codec, and the first batch, a retry queue's, waits for the load (no client does).
 * A failed load is not kept: the batch fails (SQS redelivers it) and the next batch loads again.
 */
const payments = (): Promise<Payments> => {
  if (loading) return loading;
  const load = import('../../shared/billing/x402-from-env.ts').then(({ x402PaymentsFromEnv }) =>
    x402PaymentsFromEnv(process.env, doc, (name) => credentials.secretValue(name)),
  );
  loading = load;
  load.catch(() => {
    if (loading === load) loading = undefined;
  });
  return load;
};

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
      const x402 = await payments();
      if (!x402) throw new Error('x402 is not configured on this deployment');
      const { payment, amount } = deserializePending(record.body);
      const result = await x402.gate.settle(payment, payment.scheme === 'exact' ? {} : { amount });
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
