/**
 * Socket-free HTTP for adapter tests: a simulator started with `listen: false` (infra/local/simulators/host.ts) is
 * handed each connection as one side of an in-memory stream pair (`duplexPair` from node:stream), and the adapter
 * gets a `fetch` whose connections are the other side. Both ends are the production machinery: the simulator's
 * `http.Server`, and the provider transport (`createNodeFetch`: node:http with its keep-alive agent; Node's fetch
 * for stream and form bodies), so status, headers, bodies streamed chunk by chunk, hang-ups and aborts behave as
 * over loopback TCP. Only the kernel socket, the port and the loopback round trips are gone.
 *
 * A file whose subject is the connection itself (TCP idle timeouts, a real refused port, nodeFetch's own tests)
 * stays on loopback TCP and says why.
 */
import type { Socket } from 'node:net';
import { duplexPair, type Duplex } from 'node:stream';
import { Agent as UndiciAgent } from 'undici';
import type { AcceptingSimulator } from '../../infra/local/simulators/host.ts';
import { createNodeFetch } from '../../layers/providers/http/node-fetch.ts';
import type { ProviderFetch } from '../../layers/providers/http/provider-response.ts';

export interface InMemoryHttp {
  /** The provider transport's fetch, every connection an in-memory pair to the server its URL's host names. */
  readonly fetch: ProviderFetch;
  /** Connections opened so far, and how many of them are still open (keep-alive reuse opens fewer than requests). */
  readonly connections: () => { readonly opened: number; readonly open: number };
  /** Closes every connection still open (the server's side sees its client go). */
  close(): void;
}

const errorWithCode = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

/**
 * What node:http and undici call on a connection besides reading and writing, as net.Socket does it: an idle
 * timeout (the agent's keep-alive timeout, the server's keepAliveTimeout) reset by every read and write and not
 * holding the event loop; keep-alive, Nagle and ref settings, which have nothing to act on without a kernel socket.
 */
const asSocket = (side: Duplex): Duplex => {
  let timer: NodeJS.Timeout | undefined;
  const socket = side as Duplex & { timeout?: number; setTimeout(ms: number, callback?: () => void): Duplex };
  socket.setTimeout = (ms, callback) => {
    clearTimeout(timer);
    timer = undefined;
    socket.timeout = ms;
    if (ms === 0) {
      if (callback) side.removeListener('timeout', callback);
      return side;
    }
    timer = setTimeout(() => side.emit('timeout'), ms).unref();
    if (callback) side.once('timeout', callback);
    return side;
  };
  Object.assign(side, { setKeepAlive: () => side, setNoDelay: () => side, ref: () => side, unref: () => side });
  const push = side.push.bind(side);
  side.push = (chunk: unknown, encoding?: BufferEncoding) => {
    timer?.refresh();
    return push(chunk, encoding);
  };
  const write = side._write.bind(side);
  side._write = (chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void) => {
    timer?.refresh();
    write(chunk, encoding, callback);
  };
  side.once('close', () => clearTimeout(timer));
  return side;
};

/**
 * A stream pair that closes as a TCP connection does. A pair's side that is destroyed only ends the other side's
 * reading: the other side stays open, a write it makes waits for a reader that is gone, and its end() waits for
 * that reader's 'end' forever. Over TCP a write to a closed peer fails (EPIPE) and the socket closes, after its
 * owner has read what was sent before the close. And the pair ends the other side's reading on the next tick,
 * before a reader has taken the last bytes sent; a peer's FIN arrives as an event of its own, so the end is
 * delivered a turn of the event loop later, after what is already queued.
 */
const connectionPair = (): [client: Duplex, server: Duplex] => {
  const [client, server] = duplexPair();
  for (const [side, peer] of [
    [client, server],
    [server, client],
  ] as const) {
    const push = side.push.bind(side);
    side.push = (chunk: unknown, encoding?: BufferEncoding) => {
      if (chunk !== null) return push(chunk, encoding);
      setImmediate(() => push(null));
      return false;
    };
    let peerGone = false;
    const write = side._write.bind(side);
    side._write = (chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void) =>
      peerGone ? callback(errorWithCode('EPIPE', 'write EPIPE')) : write(chunk, encoding, callback);
    peer.once('close', () => {
      peerGone = true;
      // A write the peer never took can no longer complete: the connection is reset.
      if (side.writableLength > 0) side.destroy(errorWithCode('ECONNRESET', 'read ECONNRESET'));
      else if (side.readableEnded) side.destroy();
      else side.once('end', () => side.destroy());
    });
  }
  return [asSocket(client), asSocket(server)];
};

/** The servers are told apart by the host of their URL (`<name>.simulator.test`); no other host is reachable. */
export const inMemoryHttp = (...servers: readonly AcceptingSimulator[]): InMemoryHttp => {
  const byHost = new Map(servers.map((server) => [new URL(server.url).hostname, server]));
  const open = new Set<Duplex>();
  let opened = 0;
  /** A connection to the server, or the error a TCP connect to any other host would give here. */
  const dial = (hostname: string | null | undefined): Duplex | Error => {
    const server = byHost.get(hostname ?? '');
    if (!server) return errorWithCode('ECONNREFUSED', `connect ECONNREFUSED ${hostname} (reachable in memory: ${[...byHost.keys()].join(', ')})`);
    const [client, end] = connectionPair();
    opened += 1;
    open.add(client);
    client.once('close', () => open.delete(client));
    server.accept(end);
    return client;
  };
  // Node's fetch, for the bodies node:http does not send (streams, forms): its own client, connected the same way.
  const dispatcher = new UndiciAgent({
    connect: (options, callback) => {
      // Asynchronously, as a TCP connect completes: undici drops a resume asked for while it is still connecting.
      const connection = dial(options.hostname);
      if (connection instanceof Error) process.nextTick(callback, connection, null);
      else process.nextTick(callback, null, connection as Socket);
    },
  });
  const fetch = createNodeFetch({
    connect: (options, callback) => {
      const connection = dial(options.hostname ?? options.host);
      if (!(connection instanceof Error)) return connection;
      callback?.(connection, undefined as unknown as Duplex);
      return undefined;
    },
    fallback: (input, init) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit),
  });
  return {
    fetch,
    connections: () => ({ opened, open: open.size }),
    close: () => {
      for (const connection of open) connection.destroy();
      void dispatcher.destroy();
    },
  };
};
