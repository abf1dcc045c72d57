/**
 * A loopback OpenAI-compatible Chat Completions API, one provider flavor per server, for tests and for
 * `npm start` when a provider's key is unset. See README.md for the endpoints, validation, replies and
 * fault injection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostSimulator, type HostOptions } from '../host.ts';
import { OnceTracker, type Faults } from './faults.ts';
import { FLAVOR_TABLE, type FlavorName } from './flavors.ts';
import { handleChat } from './handle-chat.ts';
import { ImageFiles, handleOpenAIMedia, isOpenAIMediaRequest } from '../openai-media/index.ts';
import { handleCompatibleMedia, isCompatibleMediaRequest } from '../media-fixtures/compatible-routes.ts';
import { readBody, sendJson } from './http-io.ts';
import { statusError, type SimError } from './sim-error.ts';
import { PromptCache } from './tokens.ts';

export interface OpenAICompatibleSimulatorOptions extends HostOptions {
  readonly flavor?: FlavorName;
  /** The key the simulator accepts; any non-empty key when unset. */
  readonly apiKey?: string;
  /** Stream every text reply as `count` chunks of `size` characters (benchmarks); per request: `chunks:<count>x<size>`. */
  readonly chunks?: Faults['chunks'];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The query string, including `?` (Azure's api-version). */
  readonly search: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: unknown;
}

export interface OpenAICompatibleSimulator {
  readonly flavor: FlavorName;
  /** The provider base URL this server stands in for: what `ProviderTransport.baseURL` takes. */
  readonly url: string;
  readonly origin: string;
  /** A key the simulator accepts. */
  readonly apiKey: string;
  /** Transport options the flavor needs (Azure `apiVersion`, Cloudflare `accountId`). */
  readonly transportOptions: Readonly<Record<string, string>>;
  /** Every request received, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Serves a connection opened in memory (no port needed): see ../host.ts. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

/** A well-formed account id, so a local Cloudflare transport routes without a real account. */
export const SIMULATED_CLOUDFLARE_ACCOUNT = '0123456789abcdef0123456789abcdef';

const TRANSPORT_OPTIONS: Partial<Record<FlavorName, Record<string, string>>> = {
  azure: { apiVersion: '2025-04-01-preview' },
  cloudflare: { accountId: SIMULATED_CLOUDFLARE_ACCOUNT },
};

export const startOpenAICompatibleSimulator = async (options: OpenAICompatibleSimulatorOptions = {}): Promise<OpenAICompatibleSimulator> => {
  const flavor = FLAVOR_TABLE[options.flavor ?? 'openai'];
  const once = new OnceTracker();
  const cache = new PromptCache();
  const requests: RecordedRequest[] = [];
  const imageFiles = new ImageFiles();
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = `sim${(counter += 1).toString().padStart(6, '0')}`;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Media endpoints read binary bodies themselves (multipart uploads), so they branch off before the text read.
    if (isOpenAIMediaRequest(flavor, url)) {
      const record = (body: unknown): void => void requests.push({ method: req.method ?? '', path: url.pathname, search: url.search, headers: { ...req.headers }, body });
      return handleOpenAIMedia(req, res, url, { flavor, requestId, apiKey: options.apiKey, once, files: imageFiles, record });
    }
    if (isCompatibleMediaRequest(flavor, url)) {
      const record = (body: unknown): void => void requests.push({ method: req.method ?? '', path: url.pathname, search: url.search, headers: { ...req.headers }, body });
      return handleCompatibleMedia(req, res, url, { flavor, requestId, apiKey: options.apiKey, once, files: imageFiles, record });
    }
    const rawBody = await readBody(req);
    let body: unknown = rawBody;
    try {
      body = JSON.parse(rawBody);
    } catch {
      // recorded as text
    }
    requests.push({ method: req.method ?? '', path: url.pathname, search: url.search, headers: { ...req.headers }, body });
    const fail = (error: SimError): void => sendJson(res, error.status, flavor.renderError(error, requestId), { 'x-request-id': requestId });

    const route = req.method === 'POST' ? flavor.match(url) : undefined;
    if (route === undefined) return fail({ status: 404, message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error' });
    if ('status' in route) return fail(route);
    const denied = flavor.authorize(req, options.apiKey);
    if (denied) return fail(denied);
    await handleChat(req, res, { flavor, once, cache, requestId, path: url.pathname, pathModel: route.pathModel, defaultChunks: options.chunks }, rawBody);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, flavor.renderError(statusError(500, undefined), 'error'));
      else res.destroy();
    });
  });
  const host = await hostSimulator(server, flavor.name, options);
  const { origin } = host;

  return {
    flavor: flavor.name,
    url: `${origin}${flavor.basePath}`,
    origin,
    apiKey: options.apiKey ?? `sim-${flavor.name}-key`,
    transportOptions: TRANSPORT_OPTIONS[flavor.name] ?? {},
    requests,
    accept: host.accept,
    close: host.close,
  };
};

