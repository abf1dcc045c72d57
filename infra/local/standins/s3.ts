import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

export interface S3StandIn {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** S3 through s3rver, storing objects under the local data directory. */
export const startS3 = async (options: { directory: string; buckets: string[]; port?: number }): Promise<S3StandIn> => {
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
