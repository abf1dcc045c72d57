/**
 * Instrumentation for a traced gateway process (`gateway.ts --trace`): every outgoing node:http request (the
 * AWS SDK's DynamoDB and S3 calls to the stand-ins, SigV4-signed; and the provider call, which the adapters send
 * through node:http since nodeFetch) and every fetch (provider calls with a stream or form body) is logged with its
 * start and end, and a small loopback server hands the log to the bench (`GET /trace` returns and clears it).
 * Never used by the process the overhead is measured on.
 */
import { Agent, createServer, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { epochMs } from './upstream.ts';

export interface TraceEvent {
  readonly kind: 'dynamodb' | 'http' | 'provider';
  /** DynamoDB operation (from X-Amz-Target), or method and path. */
  readonly op: string;
  /** Epoch ms (sub-millisecond), comparable with the bench's clock. */
  readonly start: number;
  /** Response complete (node:http) or headers received (fetch). */
  end?: number;
}

export const installTrace = async (): Promise<{ url: string; close(): void }> => {
  let events: TraceEvent[] = [];
  const proto = Agent.prototype as unknown as { addRequest(req: ClientRequest, options: unknown): void };
  const addRequest = proto.addRequest;
  proto.addRequest = function (this: Agent, req: ClientRequest, options: unknown): void {
    const target = req.getHeader('x-amz-target');
    // Every AWS call is SigV4-signed; anything else leaving the gateway is a provider call.
    const aws = String(req.getHeader('authorization') ?? '').startsWith('AWS4-HMAC-SHA256');
    // DynamoDB's JSON protocol names the operation in X-Amz-Target (`DynamoDB_20120810.UpdateItem`); SQS uses it too.
    const event: TraceEvent =
      typeof target === 'string' && target.startsWith('DynamoDB_')
        ? { kind: 'dynamodb', op: target.split('.').at(-1) ?? target, start: epochMs() }
        : { kind: aws ? 'http' : 'provider', op: typeof target === 'string' ? target : `${req.method} ${req.path}`, start: epochMs() };
    events.push(event);
    req.once('close', () => void (event.end = epochMs()));
    addRequest.call(this, req, options);
  };
  const fetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const event: TraceEvent = { kind: 'provider', op: `${init?.method ?? 'GET'} ${new URL(url).pathname}`, start: epochMs() };
    events.push(event);
    const response = await fetch(input, init);
    event.end = epochMs();
    return response;
  };

  const server = createServer((req, res) => {
    const body = JSON.stringify(events);
    if (req.url?.includes('clear')) events = [];
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
};
