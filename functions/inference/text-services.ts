import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { createAdapterResolver, transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { createBilling } from '../../shared/billing/billing.ts';
import { x402BillingFromEnv } from '../../shared/billing/x402-from-env.ts';
import { resolveTextModel } from '../../shared/inference/resolve.ts';
import { KEY_ENV, createKeyLedger, createKeyVerifier, keyVerifierConfigFromEnv, unconfiguredKeyVerifier } from '../../shared/keys/index.ts';
import { textSettingsFromEnv } from '../../shared/inference/services.ts';
import { createDocumentClient, createS3Client, createSqsClient } from '../../shared/stores/clients.ts';
import { createIdempotencyStore } from '../../shared/stores/idempotency.ts';
import { s3BlobStore } from '../../shared/stores/overflow.ts';
import { createResponsesStore } from '../../shared/stores/responses.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../../shared/stores/tables.ts';

// Clients are made once per instance and injected: the same code reaches the stand-ins locally and AWS deployed.
const doc = createDocumentClient();
const blobs = s3BlobStore(createS3Client(), process.env[MEDIA_BUCKET_ENV]!);
const credentials = createProviderCredentials(process.env.PROVIDER_SECRETS_ARN ? { secretsClient: new SecretsManagerClient({}) } : {});

/** The text pipeline's services for this instance, shared by the inference and external functions. */
export const textServices = {
  resolveTextModel,
  adapterFor: createAdapterResolver(credentials, transportOverridesFromEnv()),
  responses: createResponsesStore({ doc, tableName: tableNameFromEnv('responses'), blobs }),
  idempotency: createIdempotencyStore({ doc, tableName: tableNameFromEnv('idempotency'), blobs }),
  settings: textSettingsFromEnv(),
};


/** How calls pay: Compose Keys (verified with the configured JWKS, debited from their DynamoDB ledger), or x402. */
export const billing = createBilling({
  x402: x402BillingFromEnv(process.env, doc, createSqsClient()),
  keys: {
    verifier: process.env[KEY_ENV.jwks] ? createKeyVerifier(keyVerifierConfigFromEnv()) : unconfiguredKeyVerifier,
    ledger: createKeyLedger({ client: doc, tableName: tableNameFromEnv('ledgers') }),
  },
});
