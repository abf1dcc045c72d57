/**
 * Just enough of the Lambda Node.js runtime to run the real handlers locally: `awslambda.streamifyResponse`
 * and `awslambda.HttpResponseStream.from`, with the same byte protocol Lambda uses behind API Gateway
 * (a JSON metadata prelude, eight NUL bytes, then the body as it is written).
 */
import type { Writable } from 'node:stream';

const STREAMING = Symbol.for('compose.local.streaming');
const PRELUDE_DELIMITER = new Uint8Array(8);

interface ResponseMetadata {
  statusCode?: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  cookies?: string[];
}

export const installLambdaGlobals = (): void => {
  // The AWS SDK's invoke store may already have created `awslambda` (for its own InvokeStore): extend it.
  const g = globalThis as { awslambda?: Record<string, unknown> };
  g.awslambda ??= {};
  if (g.awslambda.streamifyResponse) return;
  Object.assign(g.awslambda, {
    streamifyResponse: <T extends (...args: never[]) => unknown>(handler: T): T => Object.assign(handler, { [STREAMING]: true }),
    HttpResponseStream: {
      from: (stream: Writable, metadata: ResponseMetadata): Writable => {
        stream.write(JSON.stringify(metadata));
        stream.write(PRELUDE_DELIMITER);
        return stream;
      },
    },
  });
};

export const isStreamingHandler = (handler: unknown): boolean =>
  typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING] === true;

export type { ResponseMetadata };
