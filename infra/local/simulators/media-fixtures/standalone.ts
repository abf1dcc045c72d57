/**
 * The loopback server under each standalone media simulator (Deepgram, ElevenLabs, Cartesia, Roboflow): a
 * node:http server on 127.0.0.1, the raw body read (413 above the limit), every request recorded, and a
 * handler that answers in its provider's wire format.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostSimulator, type HostOptions } from '../host.ts';
import { BodyTooLarge, readRawBody } from './http.ts';

export interface RecordedMediaRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** JSON bodies parsed; binary bodies as `{bytes, contentType}`; multipart as its fields and file summaries. */
  body: unknown;
}

export interface SimRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly body: Buffer;
  readonly requestId: string;
  /** The simulator's origin (../host.ts), for URLs it hands out. */
  readonly origin: string;
  /** Replaces the recorded body (parsed JSON, a multipart summary). */
  record(body: unknown): void;
}

export interface StandaloneSimulator {
  /** What `ProviderTransport.baseURL` takes. */
  readonly url: string;
  readonly origin: string;
  /** A key the simulator accepts. */
  readonly apiKey: string;
  readonly requests: readonly RecordedMediaRequest[];
  /** Serves a connection opened in memory (no port needed): see ../host.ts. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

export interface StandaloneOptions extends HostOptions {
  /** The only key accepted; any non-empty key when unset. */
  readonly apiKey?: string;
}

export const startStandaloneSimulator = async (
  name: string,
  options: StandaloneOptions,
  handlers: {
    readonly handle: (request: SimRequest) => Promise<void> | void;
    /** The provider's answer to a body above the limit, or to an internal failure. */
    readonly fail: (res: ServerResponse, status: 413 | 500, requestId: string) => void;
    readonly basePath?: string;
  },
): Promise<StandaloneSimulator> => {
  const requests: RecordedMediaRequest[] = [];
  let counter = 0;
  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `${name}-sim-${(counter += 1).toString().padStart(6, '0')}`;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: RecordedMediaRequest = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: { ...req.headers }, body: undefined };
    requests.push(entry);
    let body: Buffer;
    try {
      body = await readRawBody(req);
    } catch (error) {
      if (error instanceof BodyTooLarge) return handlers.fail(res, 413, requestId);
      throw error;
    }
    entry.body = body.length === 0 ? undefined : { bytes: body.length, contentType: req.headers['content-type'] };
    await handlers.handle({ req, res, url, body, requestId, origin, record: (value) => void (entry.body = value) });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) handlers.fail(res, 500, 'error');
      else res.destroy();
    });
  });
  const host = await hostSimulator(server, name, options);
  origin = host.origin;
  return {
    url: `${origin}${handlers.basePath ?? ''}`,
    origin,
    apiKey: options.apiKey ?? `sim-${name}-key`,
    requests,
    accept: host.accept,
    close: host.close,
  };
};
