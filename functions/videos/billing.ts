import { createBilling } from '../../shared/billing/billing.ts';
import { x402BillingFromEnv } from '../../shared/billing/x402-from-env.ts';
import { KEY_ENV, createKeyLedger, createKeyVerifier, keyVerifierConfigFromEnv, unconfiguredKeyVerifier } from '../../shared/keys/index.ts';
import { createDocumentClient, createSqsClient } from '../../shared/stores/clients.ts';
import { tableNameFromEnv } from '../../shared/stores/tables.ts';

/**
 * How video submissions pay: the same wiring as the text path's (functions/inference/text-services.ts), built
 * here because importing that module would also build the text stores, whose tables this function is not
 * given (infra/lib/access.ts): a Lambda would fail at init on the missing RESPONSES_TABLE.
 */
const doc = createDocumentClient();

export const billing = createBilling({
  x402: x402BillingFromEnv(process.env, doc, createSqsClient()),
  keys: {
    verifier: process.env[KEY_ENV.jwks] ? createKeyVerifier(keyVerifierConfigFromEnv()) : unconfiguredKeyVerifier,
    ledger: createKeyLedger({ client: doc, tableName: tableNameFromEnv('ledgers') }),
  },
});
