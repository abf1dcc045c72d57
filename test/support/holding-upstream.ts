/**
 * A loopback pass-through in front of a provider simulator that can hold requests: every request whose body
 * contains `marker` waits until `release()`. A test uses it to keep calls in flight (their reservations open)
 * until it has seen what it needs, instead of hoping for a timing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HoldingUpstream {
  /** The origin to use instead of the target's (same paths). */
  readonly origin: string;
  /** How many requests are waiting now. */
  readonly held: number;
  /** Called each time a request starts waiting. */
  onHeld: (() => void) | undefined;
  /** Lets every waiting request (and every later one) through. */
  release(): void;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export const startHoldingUpstream = async (target: string, marker: string): Promise<HoldingUpstream> => {
  const targetOrigin = new URL(target).origin;
  let released = false;
  let held = 0;
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    if (!released && body.includes(marker)) {
      held += 1;
      upstream.onHeld?.();
      await gate;
      held -= 1;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.has(entry[0])),
    );
    // The gateway hanging up (an abort, a cancel) hangs up on the target too, as it would on a provider.
    const hangUp = new AbortController();
    res.once('close', () => hangUp.abort());
    const answer = await fetch(`${targetOrigin}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      signal: hangUp.signal,
      ...(body.length ? { body } : {}),
    });
    res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name))));
    if (answer.body) await pipeline(Readable.fromWeb(answer.body as never), res);
    else res.end();
  };

  const server = createServer((req, res) => {
    forward(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const upstream: HoldingUpstream = {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get held() {
      return held;
    },
    onHeld: undefined,
    release: () => {
      released = true;
      open();
    },
    close: async () => {
      upstream.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return upstream;
};
