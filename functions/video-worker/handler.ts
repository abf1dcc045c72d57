import { SFNClient } from '@aws-sdk/client-sfn';
import { createProviderCredentials } from '../../layers/providers/credentials.ts';
import { transportOverridesFromEnv } from '../../layers/providers/registry.ts';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../../layers/core/tables.ts';
import { createVideoAdapterResolver } from '../../shared/videos/adapters.ts';
import { createVideoJobStore } from '../../shared/videos/job-store.ts';
import { createRefunds } from '../../shared/videos/refund.ts';
import { VIDEO_ENV, videoWorkerSettingsFromEnv } from '../../shared/videos/settings.ts';
import { lazyVideoStorage } from '../../shared/videos/lazy-storage.ts';
import { sfnWorkflow } from '../../shared/videos/workflow.ts';
import { createVideoWorker } from './worker.ts';
import { withObservability, traced } from '../../layers/core/observability/index.ts';

// Clients are made once per instance and injected: the same code reaches the stand-ins locally and AWS deployed.
const doc = createDocumentClient();
const credentials = createProviderCredentials(process.env.PROVIDER_SECRETS_ARN ? { secretsClient: async () => (await import('../../shared/stores/secrets-client.ts')).createSecretsClient() } : {});

/** SQS batches of submissions and Step Functions tasks, one function (see worker.ts). */
export const handler = withObservability(createVideoWorker({
  jobs: createVideoJobStore({ doc, tableName: tableNameFromEnv('videos') }),
  refunds: createRefunds({ doc, ledgersTable: tableNameFromEnv('ledgers') }),
  // S3 only when a job completes (or is cleaned up): loaded then, not at every cold start.
  storage: lazyVideoStorage(async () => {
    const [{ createVideoStorage }, { createS3Client }] = await Promise.all([import('../../shared/videos/storage.ts'), import('../../shared/stores/s3-client.ts')]);
    return createVideoStorage({ s3: createS3Client(), bucket: process.env[MEDIA_BUCKET_ENV]! });
  }),
  workflow: sfnWorkflow(traced(new SFNClient({})), process.env[VIDEO_ENV.stateMachineArn]!),
  adapterFor: createVideoAdapterResolver(credentials, transportOverridesFromEnv()),
  settings: videoWorkerSettingsFromEnv(),
}));
