/**
 * Runs in a fresh Node process: imports one function's built bundle as the Lambda runtime would (its globals,
 * its module resolution, node:http already loaded through CommonJS as the runtime's client loads it), invokes
 * its handler directly with API Gateway proxy events for the calls in BUNDLE_CALLS (JSON), and prints one JSON
 * line: each call's status and body, and the Node built-ins the process loaded (`process.moduleLoadList`) after
 * init and after the calls. No HTTP server here, so nothing but the bundle loads a module.
 * `node bundle-invoke-child.ts <family> <bundle.mjs>`, the function's environment in BUNDLE_ENV (JSON).
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { installLambdaResolutionFor } from '../../bench/bundles/lambda-resolve.ts';
import { installLambdaGlobals, isStreamingHandler } from '../../infra/local/lambda-runtime.ts';
import { matchRoute } from '../../shared/routing.ts';

export interface BundleCall {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface BundleCallResult {
  readonly status: number;
  readonly body: string;
}

export interface BundleRun {
  /** `process.moduleLoadList` entries naming undici once the bundle is imported, and once the calls are answered. */
  readonly undiciAfterInit: readonly string[];
  readonly undiciAfterCalls: readonly string[];
  readonly results: readonly BundleCallResult[];
}

type Handler = (event: unknown, streamOrContext: unknown, context?: unknown) => Promise<unknown>;

const [family, bundle] = process.argv.slice(2);
if (!family || !bundle) throw new Error('usage: bundle-invoke-child.ts <family> <bundle.mjs>');
Object.assign(process.env, JSON.parse(process.env['BUNDLE_ENV'] || '{}') as Record<string, string>);
const calls = JSON.parse(process.env['BUNDLE_CALLS'] || '[]') as BundleCall[];

installLambdaGlobals();
installLambdaResolutionFor(bundle);
createRequire(import.meta.url)('node:http');
/** Node's record of the built-in modules it has loaded (not in its type definitions). */
const undici = (): string[] => (process as unknown as { moduleLoadList: string[] }).moduleLoadList.filter((name) => name.includes('undici'));

const { handler } = (await import(pathToFileURL(bundle).href)) as { handler: Handler };
const undiciAfterInit = undici();

const event = (call: BundleCall, index: number) => {
  const url = new URL(call.path, 'http://local');
  const match = matchRoute(call.method, url.pathname);
  if (match.kind !== 'route') throw new Error(`no route for ${call.method} ${url.pathname}`);
  const requestId = `bundle-invoke-${index}`;
  return {
    resource: match.route.path,
    path: url.pathname,
    httpMethod: call.method,
    headers: call.headers,
    multiValueHeaders: Object.fromEntries(Object.entries(call.headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: match.pathParameters,
    stageVariables: null,
    body: call.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: call.method,
      path: `/local${url.pathname}`,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: match.route.path,
      identity: { sourceIp: '127.0.0.1', userAgent: call.headers['user-agent'] ?? null },
    },
  };
};

const context = (index: number) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `compose-local-${family}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:compose-local-${family}`,
  memoryLimitInMB: '1024',
  awsRequestId: `bundle-invoke-${index}`,
  logGroupName: `/aws/lambda/compose-local-${family}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** What a streaming handler wrote: the metadata prelude, eight NUL bytes, then the body. */
const streamed = async (call: BundleCall, index: number): Promise<BundleCallResult> => {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  await handler(event(call, index), sink, context(index));
  if (!sink.writableEnded) sink.end();
  const all = Buffer.concat(chunks);
  const delimiter = all.indexOf(Buffer.alloc(8));
  const metadata = JSON.parse(all.subarray(0, delimiter).toString('utf8')) as { statusCode?: number };
  return { status: metadata.statusCode ?? 200, body: all.subarray(delimiter + 8).toString('utf8') };
};

const buffered = async (call: BundleCall, index: number): Promise<BundleCallResult> => {
  const result = (await handler(event(call, index), context(index))) as { statusCode: number; body?: string; isBase64Encoded?: boolean };
  return { status: result.statusCode, body: result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64').toString('utf8') : (result.body ?? '') };
};

const results: BundleCallResult[] = [];
for (const [index, call] of calls.entries()) results.push(await (isStreamingHandler(handler) ? streamed(call, index) : buffered(call, index)));
const run: BundleRun = { undiciAfterInit, undiciAfterCalls: undici(), results };
process.stdout.write(`${JSON.stringify(run)}\n`);
// Keep-alive sockets and the SDK's timers would hold the process open; its work is done.
process.exit(0);
