/**
 * A response-streaming Lambda handler from a function that answers an `HttpResult`: the result's status and
 * headers become the metadata prelude (`awslambda.HttpResponseStream.from`), then its body is written into the
 * response stream, a string in one write, a stream as it is produced.
 *
 * middy's own streaming mode does the same through `stream.pipeline`, which costs every streamed call an
 * `AbortController` it aborts when the pipe finishes (a fresh `DOMException`, stack trace included) and a layer
 * of stream plumbing per call; a Node Readable is piped here with `Readable.pipe` and watched at both ends.
 */
import { finished } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { HttpResult } from './response.ts';

interface ResponseMetadata {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
}

/** Lambda's Node.js runtime globals for response streaming (the local runtime installs the same). */
interface StreamingRuntime {
  streamifyResponse<E>(handler: (event: E, responseStream: Writable, context: Context) => Promise<void>): (event: E, responseStream: Writable, context: Context) => Promise<void>;
  HttpResponseStream: { from(responseStream: Writable, metadata: ResponseMetadata): Writable };
}

const runtime = (): StreamingRuntime => (globalThis as unknown as { awslambda: StreamingRuntime }).awslambda;

/** Hooks around one whole call, from its event to its answer's last byte (middy's end hook runs when the handler returns, before a streamed body is written). */
export interface CallLifecycle {
  requestStart(): void;
  requestEnd(): void;
}

export const streamingHandler = <E>(answer: (event: E, context: Context) => Promise<HttpResult>, lifecycle?: CallLifecycle) =>
  runtime().streamifyResponse<E>(async (event, responseStream, context) => {
    lifecycle?.requestStart();
    try {
      const { body, ...metadata } = await answer(event, context);
      const out = runtime().HttpResponseStream.from(responseStream, metadata);
      // Lambda's stream sends the prelude with its first write: an empty one sends it now, whatever the body does.
      out.write('');
      await send(body, out);
    } finally {
      lifecycle?.requestEnd();
    }
  });

const send = (body: string | Readable, out: Writable): Promise<void> => {
  if (typeof body === 'string') return written(out.end(body));
  if (typeof (body as Readable).pipe !== 'function') return pipeline(body as unknown as ReadableStream, out);
  return piped(body, out);
};

/** Resolves once `out` has finished; rejects when it fails or closes first. */
const written = (out: Writable): Promise<void> =>
  new Promise((resolve, reject) => {
    finished(out, (error) => (error ? reject(error) : resolve()));
  });

/**
 * `body` piped into `out` (its backpressure kept), resolved once `out` has finished. Either one failing or
 * closing early (a client that hung up, a producer that threw) destroys the other, so a streamed answer's
 * producer learns at once that nobody reads it; the invocation then fails once the body has closed (as
 * `stream.pipeline` waits for every stream it destroyed).
 */
const piped = (body: Readable, out: Writable): Promise<void> =>
  new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      body.unpipe(out);
      body.destroy(error);
      out.destroy(error);
      // The invocation ends once the body has closed, not before: a paid stream's producer settles what was
      // delivered as its body is destroyed, and Lambda may freeze the sandbox as soon as the invocation ends.
      finished(body, () => reject(error));
    };
    finished(body, (error) => {
      if (error) fail(error);
    });
    finished(out, (error) => {
      if (error) fail(error);
      else if (!failed) resolve();
    });
    body.pipe(out);
  });
