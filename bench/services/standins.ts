/**
 * The local runtime's stand-ins alone (dynalite and s3rver), for scale: the gateway process carries them too,
 * so their RSS is part of the gateway's number but not of a Lambda instance's.
 *
 * `node bench/services/standins.ts <data-dir>` prints a ready line.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamo } from '../../infra/local/standins/dynamodb.ts';
import { startS3 } from '../../infra/local/standins/s3.ts';
import { announceReady } from '../lib/child.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: standins.ts <data-dir>');
mkdirSync(join(dataDir, 's3'), { recursive: true });
const [dynamo, s3] = await Promise.all([
  startDynamo({ path: join(dataDir, 'dynamodb') }),
  startS3({ directory: join(dataDir, 's3'), buckets: ['compose-bench-media'] }),
]);
announceReady({ url: dynamo.endpoint }, () => Promise.all([dynamo.close(), s3.close()]).then(() => undefined));
