import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** The access key the local runtime signs with (AWS_ACCESS_KEY_ID); s3rver only knows its own until told. */
export const LOCAL_S3_ACCESS_KEY = 'local';

// s3rver looks every request's access key up in its account registry (presigned URLs included); it does not
// verify SigV4 signatures. Registering the runtime's key lets the SDK and presigned downloads through.
const registerAccessKey = (accessKeyId: string): void => {
  const account = createRequire(import.meta.url)('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void } };
  account.DUMMY_ACCOUNT.createKeyPair(accessKeyId, accessKeyId);
};

export interface S3StandIn {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** S3 through s3rver, storing objects under the local data directory. */
export const startS3 = async (options: { directory: string; buckets: string[]; port?: number }): Promise<S3StandIn> => {
  registerAccessKey(LOCAL_S3_ACCESS_KEY);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close: () => server.close(),
  };
};

/**
 * An S3 stand-in already running (another process, which registered the runtime's access key): the buckets are
 * created there if missing, and nothing is stopped on close.
 */
export const connectS3 = async (options: { endpoint: string; buckets: string[] }): Promise<S3StandIn> => {
  const s3 = new S3Client({ endpoint: options.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: LOCAL_S3_ACCESS_KEY, secretAccessKey: LOCAL_S3_ACCESS_KEY } });
  try {
    for (const Bucket of options.buckets) {
      await s3.send(new CreateBucketCommand({ Bucket })).catch((error: unknown) => {
        if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
      });
    }
  } finally {
    s3.destroy();
  }
  return { endpoint: options.endpoint, close: async () => undefined };
};
