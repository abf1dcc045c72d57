/**
 * The yardstick for the gateway: the least a Node HTTP proxy can do. node:http in, http.request out over a
 * keep-alive agent, bodies piped both ways chunk by chunk, hop-by-hop headers dropped, nothing parsed.
 *
 * `node bench/services/bare-proxy.ts <upstream-url>` prints its URL as a ready line.
 */
import { Agent, createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from '../lib/child.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

const endToEnd = (headers: IncomingHttpHeaders): OutgoingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));

export const createBareProxy = (upstream: URL) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 60_000 });
  return createServer({ keepAlive: true, noDelay: true, keepAliveTimeout: 60_000 }, (req, res) => {
    const outbound = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...endToEnd(req.headers), host: upstream.host },
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        answer.pipe(res);
      },
    );
    outbound.setNoDelay(true);
    outbound.on('error', () => {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad gateway"}}');
    });
    res.on('close', () => {
      if (!res.writableFinished) outbound.destroy();
    });
    req.pipe(outbound);
  });
};

if (import.meta.main) {
  const upstream = new URL(process.argv[2] ?? '');
  const server = createBareProxy(upstream);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    announceReady({ url: `http://127.0.0.1:${port}` }, () => {
      server.closeAllConnections();
      server.close();
    });
  });
}
