import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { InvalidRequestError, PayloadTooLargeError } from '../../layers/core/errors.ts';
import { CLIENT_GONE } from '../../shared/http/request.ts';
import { FALLBACK_PATH, FAMILIES, type Family } from '../../shared/routes.ts';
import { matchRoute } from '../../shared/routing.ts';
import { toProxyEvent, type EventTarget } from './event.ts';
import { isStreamingHandler, type ResponseMetadata } from './lambda-runtime.ts';

export type LambdaHandler = (...args: never[]) => unknown;
export type FamilyHandlers = Readonly<Record<Family, LambdaHandler>>;

export interface LocalServerOptions {
  readonly stage: string;
  /** API Gateway refuses larger payloads before any function runs. */
  readonly maxBodyBytes?: number;
}

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

const route = (method: string, pathname: string): { family: Family; target: EventTarget } => {
  const match = matchRoute(method, pathname);
  if (match.kind === 'route') return { family: match.route.family, target: { resource: match.route.path, pathParameters: match.pathParameters } };
  // As in API Gateway: a known resource's ANY method, or the catch-all, both served by the router function.
  const resource = match.kind === 'method-not-allowed' ? match.path : FALLBACK_PATH;
  return { family: 'router', target: { resource, pathParameters: resource === FALLBACK_PATH ? { proxy: pathname.slice(1) } : null } };
};

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new PayloadTooLargeError('payload_too_large', `Request body exceeds ${limit} bytes.`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const lambdaContext = (family: Family, requestId: string, clientGone: AbortSignal): Context => {
  const deadline = Date.now() + FAMILIES[family].timeoutSeconds * 1000;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `compose-local-${family}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:compose-local-${family}`,
    memoryLimitInMB: String(FAMILIES[family].memoryMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/compose-local-${family}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  // Not in Lambda's context: the local runtime knows when its socket closes, and says so at once.
  return Object.assign(context, { [CLIENT_GONE]: clientGone });
};

const FRAMING = new Set(['content-length', 'transfer-encoding']);

const EVENT_STREAM = 'text/event-stream';

const isEventStream = (metadata: ResponseMetadata): boolean => {
  const headers = metadata.headers;
  if (headers === undefined) return false;
  for (const name in headers) {
    if (name.length === 12 && name.toLowerCase() === 'content-type') {
      const value = headers[name];
      return typeof value === 'string' && value.slice(0, EVENT_STREAM.length).toLowerCase() === EVENT_STREAM;
    }
  }
  return false;
};

const isFraming = (name: string): boolean => FRAMING.has(name.toLowerCase());

/** Writes the status and headers; `contentLength` is added when the answer is whole and says nothing of its framing. */
const writeHead = (res: ServerResponse, metadata: ResponseMetadata, contentLength?: number): void => {
  const headers: Record<string, string | string[]> = { ...metadata.headers, ...metadata.multiValueHeaders };
  if (metadata.cookies?.length) headers['set-cookie'] = metadata.cookies;
  const status = metadata.statusCode ?? 200;
  if (contentLength !== undefined && status !== 204 && status !== 304) {
    let framed = false;
    for (const name in headers) if (isFraming(name)) framed = true;
    if (!framed) headers['content-length'] = String(contentLength);
  }
  res.writeHead(status, headers);
};

/**
 * Decodes Lambda's streaming protocol: the metadata prelude up to eight NUL bytes, then the body, unbuffered.
 *
 * The head (status and headers) is held until the end of the turn of the event loop that wrote the prelude, so
 * that it leaves in one write with the body that follows it: for an answer that is not an event stream, what the
 * handler writes in that turn (a whole non-streamed answer: middy writes the prelude, the body and ends in one go)
 * goes with it, with a content-length when the answer ended within the turn; an event stream's head goes with its
 * first event, at once (a streamed call writes its prelude when the provider's first chunk is in, so that event
 * follows within the turn), never waiting for it past the turn. Everything written after that goes out as it is
 * written, in the same turn of the event loop (see `holdForTurn`).
 */
class StreamingResponse extends Writable {
  /** The prelude as written so far, until its delimiter: a string while it came as one string (the usual case). */
  private prelude: Chunk | undefined = '';
  /** The decoded prelude and the body written with it, until the first flush. */
  private head: Head | undefined;
  private flushTimer: NodeJS.Immediate | undefined;
  /** The socket is held for the rest of the turn's ticks (`holdForTurn`). */
  private holding = false;
  private readonly res: ServerResponse;

  constructor(res: ServerResponse) {
    // Strings arrive as strings (utf8: the only encoding `_write` sees them in, see there).
    super({ decodeStrings: false, defaultEncoding: 'utf8' });
    this.res = res;
    // A client that hangs up ends the stream without an error: the handler may not be writing yet (it waits on
    // its provider), and an error event nobody listens to would take the whole process down. The handler's
    // pipeline sees a premature close; a write before it, a destroyed stream.
    res.once('close', () => {
      if (!res.writableFinished) this.destroy();
    });
    this.on('error', (error) => console.error(JSON.stringify({ level: 'warn', message: 'response stream failed', reason: error.message })));
  }

  /**
   * Holds what is written to the socket until the ticks of this turn have run, so that an answer's end written
   * in the same turn (a stream's last events, then the end of the body: a tick apart) leaves with it in one
   * system call rather than two. Node holds a response's writes until the next tick anyway; this is one tick
   * later, still before the event loop moves on to any other I/O, so events that came apart never go together.
   */
  private holdForTurn(): void {
    const socket = this.res.socket;
    if (this.holding || !socket || socket.writableCorked) return;
    this.holding = true;
    // The socket, not the response: a corked response would join the events into one HTTP chunk.
    socket.cork();
    process.nextTick(releaseAfterNextTick, this);
  }

  /** The turn's ticks have run: what was held goes out (unless `res.end`, which uncorks fully, sent it already). */
  release(): void {
    this.holding = false;
    const socket = this.res.socket;
    if (socket?.writableCorked) socket.uncork();
  }

  /** Sends the held head and the body written with it: the turn that wrote them is over. */
  private flushHead(): void {
    const head = this.takeHead();
    if (!head || this.res.destroyed || this.res.headersSent) return;
    this.holdForTurn();
    writeHead(this.res, head.metadata);
    if (head.body.length > 0) this.res.write(joined(head.body));
    else this.res.flushHeaders();
  }

  /**
   * The handler failed after its prelude: as when the head was sent at once, the client has its status and
   * headers, and the invocation error then cuts the answer short (API Gateway can no longer make it a 502).
   */
  sendHeadOfFailedAnswer(): void {
    const head = this.takeHead();
    if (!head || this.res.destroyed || this.res.headersSent) return;
    writeHead(this.res, head.metadata);
    this.res.flushHeaders();
  }

  private takeHead(): Head | undefined {
    const head = this.head;
    this.head = undefined;
    clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    return head;
  }

  override _write(chunk: Chunk, encoding: BufferEncoding | 'buffer', callback: (error?: Error | null) => void): void {
    // A string in another encoding than utf8 (`write(s, 'base64')`) is decoded here: from here on a string is utf8.
    if (typeof chunk === 'string' && encoding !== 'utf8') chunk = Buffer.from(chunk, encoding as BufferEncoding);
    if (this.prelude !== undefined) {
      const prelude = this.takePrelude(chunk);
      if (prelude === undefined) return callback();
      const head: Head = { metadata: prelude.metadata, body: [], eventStream: isEventStream(prelude.metadata) };
      this.head = head;
      this.flushTimer = setImmediate(() => this.flushHead());
      chunk = prelude.rest;
    }
    if (this.head) {
      if (chunk.length > 0) {
        this.head.body.push(chunk);
        // An event goes out as it is written: with the head, in one write.
        if (this.head.eventStream) this.flushHead();
      }
      return callback();
    }
    // An empty write (middy writes one after the prelude) carries nothing: no system call for it.
    if (chunk.length === 0) return callback();
    this.holdForTurn();
    if (this.res.write(chunk)) callback();
    else this.res.once('drain', () => callback());
  }

  /**
   * Adds a write to the prelude; once its delimiter is in, the decoded metadata and what followed it. The usual
   * case, the metadata written as one string and the delimiter as the next write (`HttpResponseStream.from`), is
   * decoded without copying either into a joint buffer.
   */
  private takePrelude(chunk: Chunk): { metadata: ResponseMetadata; rest: Chunk } | undefined {
    const prelude = this.prelude!;
    if (typeof prelude === 'string' && typeof chunk !== 'string' && chunk.length >= DELIMITER.length && chunk.subarray(0, DELIMITER.length).equals(DELIMITER)) {
      this.prelude = undefined;
      return { metadata: JSON.parse(prelude) as ResponseMetadata, rest: chunk.subarray(DELIMITER.length) };
    }
    if (typeof prelude === 'string' && typeof chunk === 'string') {
      this.prelude = prelude + chunk;
      return undefined;
    }
    const pending = Buffer.concat([typeof prelude === 'string' ? Buffer.from(prelude) : prelude, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
    const end = pending.indexOf(DELIMITER);
    if (end === -1) {
      this.prelude = pending;
      return undefined;
    }
    this.prelude = undefined;
    return { metadata: JSON.parse(pending.subarray(0, end).toString('utf8')) as ResponseMetadata, rest: pending.subarray(end + DELIMITER.length) };
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.prelude !== undefined) {
      this.res.writeHead(200, { 'content-type': 'application/octet-stream' });
      this.res.end(this.prelude);
    } else if (this.head) {
      // The whole answer arrived within the turn: one write, its length known (an event stream's framing is left
      // to the server, as when its events go out one by one).
      const { metadata, body, eventStream } = this.takeHead()!;
      if (this.res.destroyed) return callback();
      const payload = body.length === 0 ? '' : joined(body);
      writeHead(this.res, metadata, eventStream ? undefined : byteLength(payload));
      this.res.end(payload);
    } else this.res.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.takeHead();
    callback(error);
  }
}

const DELIMITER = Buffer.alloc(8);

// Two hops: the body's end (a stream's `end` event) is itself a tick queued after the write that holds the socket.
const releaseAfterNextTick = (response: StreamingResponse): void => process.nextTick(releaseHeld, response);
const releaseHeld = (response: StreamingResponse): void => response.release();

/** What the handler wrote: middy writes a string body as a string, kept so (no copy into a Buffer on the way). */
type Chunk = Buffer | string;

interface Head {
  readonly metadata: ResponseMetadata;
  readonly body: Chunk[];
  readonly eventStream: boolean;
}

const byteLength = (chunk: Chunk): number => (typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);

/**
 * The chunks as one payload. Strings stay one string: `res.end(string)` after `writeHead` sends the status line,
 * the headers and the body in one socket write, where a Buffer body goes out as a second buffer of a writev.
 */
const joined = (chunks: readonly Chunk[]): Chunk => {
  if (chunks.length === 1) return chunks[0]!;
  if (chunks.every((chunk) => typeof chunk === 'string')) return chunks.join('');
  return Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)));
};

const writeBuffered = (res: ServerResponse, result: APIGatewayProxyResult): void => {
  if (res.destroyed) return;
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : (result.body ?? '');
  writeHead(
    res,
    {
      statusCode: result.statusCode,
      headers: result.headers as Record<string, string> | undefined,
      multiValueHeaders: result.multiValueHeaders as Record<string, string[]> | undefined,
    },
    byteLength(body),
  );
  res.end(body);
};

const internalError = (res: ServerResponse, requestId: string): void => {
  if (res.headersSent || res.destroyed) return void res.destroy();
  res.writeHead(502, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end(JSON.stringify({ error: { message: 'Internal server error', type: 'api_error', code: 'internal_error' } }));
};

/** Aborts when the client hangs up before its answer is finished (not when the answer ends normally). */
const hangUpSignal = (res: ServerResponse): AbortSignal => {
  const hangUp = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) hangUp.abort(new DOMException('The client hung up.', 'AbortError'));
  });
  return hangUp.signal;
};

const invoke = async (handler: LambdaHandler, family: Family, event: APIGatewayProxyEvent, res: ServerResponse): Promise<void> => {
  const context = lambdaContext(family, event.requestContext.requestId, hangUpSignal(res));
  if (isStreamingHandler(handler)) {
    const stream = new StreamingResponse(res);
    try {
      await (handler as unknown as (e: APIGatewayProxyEvent, s: Writable, c: Context) => Promise<void>)(event, stream, context);
    } catch (error) {
      stream.sendHeadOfFailedAnswer();
      throw error;
    }
    if (!stream.writableEnded) stream.end();
    return;
  }
  const result = await (handler as unknown as (e: APIGatewayProxyEvent, c: Context) => Promise<APIGatewayProxyResult>)(event, context);
  writeBuffered(res, result);
};

/** An HTTP server that does what API Gateway and Lambda do: route, build the proxy event, invoke, stream back. */
export const createLocalServer = (handlers: FamilyHandlers, options: LocalServerOptions): Server =>
  createServer({ noDelay: true, keepAlive: true }, async (req, res) => {
    // A request target URL cannot parse (`GET http://[x`) used to throw out of this listener and end the process.
    const url = URL.parse(req.url ?? '/', 'http://local');
    if (url === null) {
      const error = new InvalidRequestError('invalid_request_target', 'The request target is not a valid URL.');
      res.writeHead(error.status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify(error.toBody()));
      return;
    }
    const { family, target } = route(req.method ?? 'GET', url.pathname);
    let event: APIGatewayProxyEvent | undefined;
    try {
      const body = await readBody(req, options.maxBodyBytes ?? API_GATEWAY_MAX_BODY);
      event = toProxyEvent(req, url, body, target, options.stage);
      await invoke(handlers[family], family, event, res);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify(error.toBody()));
        return;
      }
      // A client that hung up is no invocation error: its call has ended (and settled) on its own.
      if (res.destroyed && !res.writableFinished) return;
      // A handler that throws is a Lambda invocation error: API Gateway answers 502.
      console.error(JSON.stringify({ level: 'error', family, message: error instanceof Error ? error.message : String(error) }));
      internalError(res, event?.requestContext.requestId ?? 'unknown');
    }
  });
