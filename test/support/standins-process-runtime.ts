/**
 * A local runtime with its stand-ins in a child process, and nothing else that outlives it (no chain, no video
 * pipeline), for tests that kill it: `node test/support/standins-process-runtime.ts <data-dir>` prints one JSON
 * line `{ url, pid, standInsPid }` once it serves.
 */
import { startLocalRuntime } from '../../infra/local/runtime.ts';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: standins-process-runtime.ts <data-dir>');
const runtime = await startLocalRuntime({ dataDir, standins: 'process', chain: false, videos: false });
process.stdout.write(`${JSON.stringify({ url: runtime.url, pid: process.pid, standInsPid: runtime.standInsPid })}\n`);
process.once('SIGTERM', () => void runtime.close().then(() => process.exit(0)));
