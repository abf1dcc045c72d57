import { S3Client } from '@aws-sdk/client-s3';
import { traced } from '../../layers/core/observability/index.ts';
import { withStaticUserAgent } from './user-agent.ts';

/**
 * The S3 client, in a module of its own so that a function which reaches S3 only now and then (the inference
 * function, when a stored body overflows DynamoDB) can import it on first use: the SDK's S3 client is the
 * largest of the clients to load at a cold start. Endpoint, user agent and tracing as in clients.ts.
 */
export const createS3Client = (env: NodeJS.ProcessEnv = process.env): S3Client =>
  traced(
    withStaticUserAgent(
      new S3Client({
        // An emulator answers on one host, so buckets go in the path; checksums only where S3 requires them.
        forcePathStyle: Boolean(env.AWS_ENDPOINT_URL_S3),
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      }),
    ),
  );
