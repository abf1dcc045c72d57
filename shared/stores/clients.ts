import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../../layers/core/observability/index.ts';

/**
 * AWS clients are made here, once per function module, and injected into stores. Endpoints come from the SDK's
 * own `AWS_ENDPOINT_URL_<SERVICE>` settings, which the local runtime points at its stand-ins. Each is traced by
 * the Powertools Tracer when the stage has tracing on (a no-op outside Lambda).
 */
export const createDocumentClient = (client: DynamoDBClient = traced(new DynamoDBClient({}))): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false } });

export const createS3Client = (env: NodeJS.ProcessEnv = process.env): S3Client =>
  traced(new S3Client({
    // An emulator answers on one host, so buckets go in the path; checksums only where S3 requires them.
    forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  }));

/**
 * Requests go to the configured (or regional) endpoint, not the host inside the queue URL: the same in AWS, and
 * what lets the local SQS stand-in's `sqs.<region>.localhost` URLs work on any machine.
 */
export const createSqsClient = (): SQSClient => traced(new SQSClient({ useQueueUrlAsEndpoint: false }));
