/**
 * A loopback pass-through in front of a provider simulator that lets a chosen stream through one SSE frame at a
 * time: the first request whose body contains a tag given to `control` gets its frames only as the test allows
 * them. A test uses it for "the provider sent this much, then went silent" without waiting on a real delay: the
 * silence lasts until the test says so, however loaded the machine is. `hold` keeps every request carrying a tag
 * from reaching the provider at all until released: "the provider is still thinking", for as long as it takes.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GatedStream {
  /** Frames written to the gateway so far. */
  readonly passed: number;
  /** Lets `count` more frames through (they flow as soon as the provider has them). */
  allow(count: number): void;
}

export interface FrameGate {
  /** The origin to use instead of the target's (same paths). */
  readonly origin: string;
  /**
   * Gates the first request whose body contains `tag`: its frames flow up to and including the first one that
   * contains `through`, then wait for `allow`.
   */
  control(tag: string, through: string): GatedStream;
  /** Holds every request whose body contains `tag` before it reaches the provider, until `release`. */
  hold(tag: string): HeldRequests;
  close(): Promise<void>;
}

export interface HeldRequests {
  /** How many requests are waiting now. */
  readonly waiting: number;
  release(): void;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

interface Control extends GatedStream {
  readonly tag: string;
  next(): Promise<void>;
  written(frame: string): void;
}

const createControl = (tag: string, through: string): Control => {
  let allowed = Number.POSITIVE_INFINITY;
  let passed = 0;
  let wake: (() => void) | undefined;
  return {
    tag,
    get passed() {
      return passed;
    },
    allow: (count) => {
      allowed += count;
      wake?.();
    },
    next: async () => {
      while (passed >= allowed) await new Promise<void>((resolve) => (wake = resolve));
    },
    written: (frame) => {
      passed += 1;
      if (allowed === Number.POSITIVE_INFINITY && frame.includes(through)) allowed = passed;
    },
  };
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export const startFrameGate = async (target: string): Promise<FrameGate> => {
  const targetOrigin = new URL(target).origin;
  const waiting: Control[] = [];
  const holds: { tag: string; waiting: number; released: Promise<void> }[] = [];

  const forward = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBody(req);
    const held = holds.find((hold) => body.includes(hold.tag));
    if (held) {
      held.waiting += 1;
      await held.released;
      held.waiting -= 1;
    }
    const at = waiting.findIndex((control) => body.includes(control.tag));
    const control = at < 0 ? undefined : waiting.splice(at, 1)[0];
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_BY_HOP.has(entry[0])),
    );
    // The gateway hanging up hangs up on the target too, as it would on a provider.
    const hangUp = new AbortController();
    res.once('close', () => hangUp.abort());
    const answer = await fetch(`${targetOrigin}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, signal: hangUp.signal, ...(body.length ? { body } : {}) });
    res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name))));
    if (!answer.body) return void res.end();
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
      if (!control) {
        res.write(chunk);
        continue;
      }
      pending += decoder.decode(chunk, { stream: true });
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const frame = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        await control.next();
        if (res.destroyed) return;
        res.write(frame);
        control.written(frame);
      }
    }
    res.end(pending);
  };

  const server = createServer((req, res) => {
    forward(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    control: (tag, through) => {
      const control = createControl(tag, through);
      waiting.push(control);
      return control;
    },
    hold: (tag) => {
      let release!: () => void;
      const hold = { tag, waiting: 0, released: new Promise<void>((resolve) => (release = resolve)) };
      holds.push(hold);
      return {
        get waiting() {
          return hold.waiting;
        },
        release,
      };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
