/**
 * Run in a fresh Node process per measurement: installs the Lambda runtime globals (awslambda.streamifyResponse,
 * HttpResponseStream) as the local runtime does, then times the import of one bundle and prints
 * `{"importMs":…,"cpuMs":…,"rss":…}` (cpuMs: the process's user + system CPU time during the import, which a
 * busy machine moves much less than the wall time). `node bench/bundles/init-probe.ts <bundle.mjs>`
 */
import { pathToFileURL } from 'node:url';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime.ts';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: init-probe.ts <bundle.mjs>');
installLambdaGlobals();
const start = performance.now();
const cpuStart = process.cpuUsage();
const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
const importMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (typeof module.handler !== 'function') throw new Error(`${bundle} exports no handler function`);
process.stdout.write(`${JSON.stringify({ importMs, cpuMs, rss: process.memoryUsage().rss, sinceProcessStartMs: performance.now() })}\n`);
