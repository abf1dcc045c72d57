import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
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
