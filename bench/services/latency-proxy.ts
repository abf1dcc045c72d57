/**
 * A loopback proxy in front of a stand-in that holds every request for a fixed delay before forwarding it: the
 * network round trip a Lambda instance pays to reach DynamoDB in its region (a few ms), which dynalite on loopback
 * does not. It also counts what passes by DynamoDB operation (the `X-Amz-Target` header), so a section measures the
 * requests and write units per call rather than assuming them: `GET /__bench/counts` answers the totals so far.
 *
 * Runs inside the stand-ins process (bench/services/standins.ts `--dynamodb-latency-ms=N`): its CPU is never the
 * function's.
 */
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const COUNTS_PATH = '/__bench/counts';

export interface DynamoCounts {
  /** Requests per operation (e.g. `UpdateItem`). */
  readonly requests: Readonly<Record<string, number>>;
  /** Items written: one per PutItem/UpdateItem/DeleteItem, one per item of a BatchWriteItem or TransactWriteItems. */
  readonly writeItems: number;
}

const SINGLE_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

/** Items a DynamoDB request writes, from its operation and (for batches) its body. */
export const writeItemsOf = (operation: string, body: string): number => {
  if (SINGLE_WRITES.has(operation)) return 1;
  try {
    if (operation === 'BatchWriteItem') {
      const items = (JSON.parse(body) as { RequestItems?: Record<string, unknown[]> }).RequestItems ?? {};
      return Object.values(items).reduce((sum, list) => sum + list.length, 0);
    }
    if (operation === 'TransactWriteItems') {
      const items = (JSON.parse(body) as { TransactItems?: Array<Record<string, unknown>> }).TransactItems ?? [];
      return items.filter((item) => !('ConditionCheck' in item)).length;
    }
  } catch {
    return 0;
  }
  return 0;
};

export const startLatencyProxy = async (target: string, delayMs: number): Promise<{ endpoint: string; server: Server; close(): Promise<void> }> => {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const requests: Record<string, number> = {};
  let writeItems = 0;
  const server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    if (req.method === 'GET' && req.url === COUNTS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ requests, writeItems } satisfies DynamoCounts));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').at(-1) || 'unknown';
      requests[operation] = (requests[operation] ?? 0) + 1;
      writeItems += writeItemsOf(operation, body.toString('utf8'));
      setTimeout(() => {
        const outbound = request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers, agent },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        outbound.on('error', () => {
          if (res.headersSent) return void res.destroy();
          res.writeHead(502);
          res.end();
        });
        outbound.end(body);
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
};
