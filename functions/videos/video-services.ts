import { SFNClient } from '@aws-sdk/client-sfn';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { createS3Client } from '../../shared/stores/s3-client.ts';
import { createSqsClient } from '../../shared/stores/sqs-client.ts';
import { createIdempotencyStore } from '../../shared/stores/idempotency.ts';
import { s3BlobStore } from '../../shared/stores/overflow.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../../layers/core/tables.ts';
import { createVideoJobStore } from '../../shared/videos/job-store.ts';
import { sqsVideoQueue } from '../../shared/videos/sqs-queue.ts';
import { createRefunds } from '../../shared/videos/refund.ts';
import { videoRouteSettingsFromEnv, type VideoServices } from '../../shared/videos/services.ts';
import { VIDEO_ENV } from '../../shared/videos/settings.ts';
import { createVideoStorage } from '../../shared/videos/storage.ts';
import { sfnWorkflow } from '../../shared/videos/workflow.ts';
import { traced } from '../../layers/core/observability/index.ts';

// Clients are made once per instance and injected: the same code reaches the stand-ins locally and AWS deployed.
const doc = createDocumentClient();
const s3 = createS3Client();
const bucket = process.env[MEDIA_BUCKET_ENV]!;
const stateMachineArn = process.env[VIDEO_ENV.stateMachineArn];
const queueUrl = process.env[VIDEO_ENV.queueUrl];

/**
 * The video routes' services for this instance, shared by the videos, external and inference functions (all
 * three submit: the inference function through `POST /v1/responses` with `modalities: ['video']`). A function
 * deployed without the queue URL cannot enqueue: that is a configuration error, answered 503 with the charge
 * returned (operations.ts), never a silent drop.
 */
export const videoServices: VideoServices = {
  jobs: createVideoJobStore({ doc, tableName: tableNameFromEnv('videos') }),
  queue: queueUrl
    ? sqsVideoQueue(createSqsClient(), queueUrl)
    : {
        enqueue: () => Promise.reject(new Error(`${VIDEO_ENV.queueUrl} is not set`)),
      },
  storage: createVideoStorage({ s3, bucket }),
  refunds: createRefunds({ doc, ledgersTable: tableNameFromEnv('ledgers') }),
  idempotency: createIdempotencyStore({ doc, tableName: tableNameFromEnv('idempotency'), blobs: s3BlobStore(s3, bucket) }),
  workflow: stateMachineArn ? sfnWorkflow(traced(new SFNClient({})), stateMachineArn) : undefined,
  settings: videoRouteSettingsFromEnv(),
};
