import type { S3Client } from '@aws-sdk/client-s3';
import { createDocumentClient } from '../../shared/stores/clients.ts';
import { createSqsClient } from '../../shared/stores/sqs-client.ts';
import { createIdempotencyStore } from '../../shared/stores/idempotency.ts';
import { s3BlobStore } from '../../shared/stores/overflow.ts';
import { MEDIA_BUCKET_ENV, tableNameFromEnv } from '../../layers/core/tables.ts';
import { createVideoJobStore } from '../../shared/videos/job-store.ts';
import { sqsVideoQueue } from '../../shared/videos/sqs-queue.ts';
import { createRefunds } from '../../shared/videos/refund.ts';
import { videoRouteSettingsFromEnv, type VideoServices } from '../../shared/videos/services.ts';
import { VIDEO_ENV } from '../../shared/videos/settings.ts';
import { lazyVideoStorage } from '../../shared/videos/lazy-storage.ts';
import { lazyWorkflow } from '../../shared/videos/lazy-workflow.ts';

// Clients are made once per instance and injected: the same code reaches the stand-ins locally and AWS deployed.
const doc = createDocumentClient();
// S3 serves downloads, URLs of finished videos and oversized idempotency records: not a submission, the usual
// first call. Its client and commands load on first use (a failed load is tried again by the next call).
let s3Client: Promise<S3Client> | undefined;
const s3 = (): Promise<S3Client> =>
  (s3Client ??= import('../../shared/stores/s3-client.ts').then(
    ({ createS3Client }) => createS3Client(),
    (error: unknown) => {
      s3Client = undefined;
      throw error;
    },
  ));
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
  storage: lazyVideoStorage(async () => {
    const [client, { createVideoStorage }] = await Promise.all([s3(), import('../../shared/videos/storage.ts')]);
    return createVideoStorage({ s3: client, bucket });
  }),
  refunds: createRefunds({ doc, ledgersTable: tableNameFromEnv('ledgers') }),
  idempotency: createIdempotencyStore({ doc, tableName: tableNameFromEnv('idempotency'), blobs: s3BlobStore(s3, bucket) }),
  // Only a cancel stops an execution (the worker starts them): the SFN client loads with the first cancel.
  workflow: stateMachineArn
    ? lazyWorkflow(async () => {
        const [{ createSfnClient }, { sfnWorkflow }] = await Promise.all([import('../../shared/stores/sfn-client.ts'), import('../../shared/videos/workflow.ts')]);
        return sfnWorkflow(createSfnClient(), stateMachineArn);
      })
    : undefined,
  settings: videoRouteSettingsFromEnv(),
};
