import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { createAdapterResolver, transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { createFamilyHandler } from '../../shared/http/handler.ts';
import { createTextOperations } from '../../shared/inference/operations.ts';
import { resolveTextModel } from '../../shared/inference/resolve.ts';
import { textSettingsFromEnv } from '../../shared/inference/services.ts';
import { createDocumentClient, createS3Client } from '../../shared/stores/clients.ts';
import { createIdempotencyStore } from '../../shared/stores/idempotency.ts';
import { s3BlobStore } from '../../shared/stores/overflow.ts';
import { createResponsesStore } from '../../shared/stores/responses.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../../shared/stores/tables.ts';

// Clients are made once per instance and injected: the same code reaches the stand-ins locally and AWS deployed.
const doc = createDocumentClient();
const blobs = s3BlobStore(createS3Client(), process.env[MEDIA_BUCKET_ENV]!);
const credentials = createProviderCredentials(process.env.PROVIDER_SECRETS_ARN ? { secretsClient: new SecretsManagerClient({}) } : {});

export const textServices = {
  resolveTextModel,
  adapterFor: createAdapterResolver(credentials, transportOverridesFromEnv()),
  responses: createResponsesStore({ doc, tableName: tableNameFromEnv('responses'), blobs }),
  idempotency: createIdempotencyStore({ doc, tableName: tableNameFromEnv('idempotency'), blobs }),
  settings: textSettingsFromEnv(),
};

const text = createTextOperations(textServices);

export const handler = createFamilyHandler('inference', text);
