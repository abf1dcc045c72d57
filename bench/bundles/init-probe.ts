/**
 * Run in a fresh Node process per measurement: installs the Lambda runtime globals (awslambda.streamifyResponse,
 * HttpResponseStream) as the local runtime does and Lambda's module resolution (lambda-resolve.ts: the shared
 * layer beside the bundle, or NODE_PATH), then times the import of one bundle and prints
 * `{"importMs":…,"cpuMs":…,"rss":…}` (cpuMs: the process's user + system CPU time during the import, which a
 * busy machine moves much less than the wall time). `node bench/bundles/init-probe.ts <bundle.mjs>`
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { installLambdaGlobals } from '../../infra/local/lambda-runtime.ts';
import { installLambdaResolutionFor } from './lambda-resolve.ts';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: init-probe.ts <bundle.mjs>');
installLambdaGlobals();
// The bundle imports the shared layer's packages and the AWS SDK as Lambda resolves them (NODE_PATH), so the
// import below loads the layer's modules too: init includes the layer, the SDK and Powertools.
installLambdaResolutionFor(bundle);
// The Lambda runtime's own client has loaded node:http (its Runtime API client and response streams use it) before
// it imports the handler (aws-lambda-nodejs-runtime-interface-client, src/client/rapid-client.ts), so a
// function's init does not pay for it: neither does the probe's (about 6 ms of Node's built-in module loading).
createRequire(import.meta.url)('node:http');
const start = performance.now();
const cpuStart = process.cpuUsage();
const module = (await import(pathToFileURL(bundle).href)) as { handler?: unknown };
const importMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (typeof module.handler !== 'function') throw new Error(`${bundle} exports no handler function`);
process.stdout.write(`${JSON.stringify({ importMs, cpuMs, rss: process.memoryUsage().rss, sinceProcessStartMs: performance.now() })}\n`);
