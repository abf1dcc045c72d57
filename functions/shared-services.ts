/**
 * What every paid function shares, made once per instance and injected: the AWS clients (the same code reaches
 * the stand-ins locally and AWS deployed), provider credentials, idempotency records and billing.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createProviderCredentials } from '../layers/providers/credentials.ts';
import { createBilling } from '../shared/billing/billing.ts';
import { lazyX402Billing } from '../shared/billing/x402-lazy.ts';
import { KEY_ENV, createKeyLedger, createKeyVerifier, keyLeasesFromEnv, keyVerifierConfigFromEnv, unconfiguredKeyVerifier } from '../shared/keys/index.ts';
import { createDocumentClient } from '../shared/stores/clients.ts';
import { createIdempotencyStore } from '../shared/stores/idempotency.ts';
import { s3BlobStore } from '../shared/stores/overflow.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../layers/core/tables.ts';
import { withSpendMetrics } from '../shared/observability/billing-metrics.ts';

export const doc = createDocumentClient();
let s3Client: Promise<S3Client> | undefined;
/**
 * Loaded and built on first use, not at init: chat and Responses calls reach S3 only when a stored body
 * overflows DynamoDB, so the inference function's cold start neither loads the SDK's S3 client nor builds one
 * (the media function awaits it at init).
 */
export const s3 = (): Promise<S3Client> => (s3Client ??= import('../shared/stores/s3-client.ts').then(({ createS3Client }) => createS3Client()));
export const mediaBucket = process.env[MEDIA_BUCKET_ENV]!;
export const blobs = s3BlobStore(s3, mediaBucket);
export const credentials = createProviderCredentials(process.env.PROVIDER_SECRETS_ARN ? { secretsClient: async () => (await import('../shared/stores/secrets-client.ts')).createSecretsClient() } : {});
export const idempotency = createIdempotencyStore({ doc, tableName: tableNameFromEnv('idempotency'), blobs });

/** The Compose Key ledger, with this instance's budget leases (the soak reads their counts). */
export const keyLedger = createKeyLedger({ client: doc, tableName: tableNameFromEnv('ledgers'), leases: keyLeasesFromEnv() });

/** How calls pay: Compose Keys (verified with the configured JWKS, debited from their DynamoDB ledger), or x402. */
export const billing = withSpendMetrics(createBilling({
  // x402 (and viem) load on the first request that pays or signs in with it: Compose Key calls never load them.
  x402: lazyX402Billing(process.env, async () =>
    (await import('../shared/billing/x402-billing-from-env.ts')).x402BillingFromEnv(process.env, doc, (await import('../shared/stores/sqs-client.ts')).createSqsClient(), (name) => credentials.secretValue(name)),
  ),
  keys: {
    verifier: process.env[KEY_ENV.jwks] ? createKeyVerifier(keyVerifierConfigFromEnv()) : unconfiguredKeyVerifier,
    ledger: keyLedger,
  },
}));
