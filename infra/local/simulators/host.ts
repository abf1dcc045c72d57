/**
 * Where a simulator's `http.Server` is reached. Listening, on a loopback port: what `npm start` and the e2e runtime
 * use. Not listening (`listen: false`): no port and no kernel socket at all; its client hands it each connection
 * through `accept` (an in-memory stream pair, test/support/in-memory-http.ts) and the server answers it exactly as
 * one accepted from a port, so adapter tests keep the real HTTP machinery without the network.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export interface HostOptions {
  readonly port?: number;
  /** false: open no port; connections arrive through `accept` only. */
  readonly listen?: boolean;
}

/** A simulator as an in-memory client reaches it: a URL it answers (its host names it), and where to hand a connection. */
export interface AcceptingSimulator {
  readonly url: string;
  accept(connection: Duplex): void;
}

export interface SimulatorHost {
  /** `http://127.0.0.1:<port>`; without a port `http://<name>.simulator.test`, a name no resolver answers. */
  readonly origin: string;
  /** Serves a connection its client opened in memory, as if the server had accepted it from a port. */
  accept(connection: Duplex): void;
  /** Stops listening and closes every connection, accepted from the port or handed in. */
  close(): Promise<void>;
}

export const hostSimulator = async (server: Server, name: string, options: HostOptions = {}): Promise<SimulatorHost> => {
  // The server only tracks connections for closeAllConnections once it listens: the handed-in ones are tracked here.
  const handedIn = new Set<Duplex>();
  const accept = (connection: Duplex): void => {
    handedIn.add(connection);
    connection.once('close', () => handedIn.delete(connection));
    server.emit('connection', connection);
  };
  const closeHandedIn = (): void => {
    for (const connection of handedIn) connection.destroy();
  };
  if (options.listen === false) return { origin: `http://${name}.simulator.test`, accept, close: async () => closeHandedIn() };
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accept,
    close: () =>
      new Promise<void>((resolve, reject) => {
        closeHandedIn();
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
