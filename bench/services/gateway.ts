/**
 * The gateway under test, in its own process so its RSS is its own: the local runtime (API Gateway emulation,
 * the real Lambda handlers, dynalite and s3rver in-process) with the openai provider pointed at the bench's
 * loopback upstream.
 *
 * `node bench/services/gateway.ts <upstream-url> <data-dir>` prints its URL as a ready line.
 */
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { announceReady } from '../lib/child.ts';

const [upstream, dataDir] = process.argv.slice(2);
if (!upstream || !dataDir) throw new Error('usage: gateway.ts <upstream-url> <data-dir>');

const runtime = await startLocalRuntime({
  dataDir,
  stage: 'bench',
  env: { OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstream}/v1` },
});
announceReady({ url: runtime.url }, () => runtime.close());
