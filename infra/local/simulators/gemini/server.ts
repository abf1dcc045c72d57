/**
 * A loopback Gemini API (Generative Language API v1beta) for tests and for `npm start` without a key.
 * `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent[?alt=sse]`, key in
 * `x-goog-api-key` (or `?key=`). See README.md for behaviour and fault injection.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostSimulator, type HostOptions } from '../host.ts';
import { splitModelFaults } from '../openai-compatible/faults.ts';
import { errorInfo, googleError } from './google-error.ts';
import { handleGenerateContent, SimulatorState, type RecordedRequest } from './handle-generate-content.ts';
import { readBody, sendGoogleError } from './http-io.ts';
import { handleGeminiMedia, type GeminiMediaContext } from '../gemini-media/handle-gemini.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';

export interface GeminiSimulatorOptions extends HostOptions {
  /** The key the simulator accepts; any non-empty key when unset. */
  readonly apiKey?: string;
}

export interface GeminiSimulator {
  /** Base URL including the API version, for `ProviderTransport.baseURL`. */
  readonly url: string;
  readonly apiKey: string;
  /** Every generateContent body received, camelized, in order. */
  readonly requests: readonly RecordedRequest[];
  /** Every media request (embeddings, Imagen) received: path and body. See ../gemini-media/README.md. */
  readonly mediaRequests: readonly { readonly path: string; readonly body: unknown }[];
  /** Serves a connection opened in memory (no port needed): see ../host.ts. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

const ROUTE = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const SERVICE = 'generativelanguage.googleapis.com';

const keyOf = (req: IncomingMessage, url: URL): string => (req.headers['x-goog-api-key'] as string | undefined) ?? url.searchParams.get('key') ?? '';

const authorize = (key: string, expected: string | undefined): ReturnType<typeof googleError> | undefined => {
  if (key === '') {
    return googleError(403, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.");
  }
  if (expected !== undefined && key !== expected) return googleError(400, 'API key not valid. Please pass a valid API key.', [errorInfo('API_KEY_INVALID', SERVICE)]);
  return undefined;
};

export const startGeminiSimulator = async (options: GeminiSimulatorOptions = {}): Promise<GeminiSimulator> => {
  const state = new SimulatorState();
  const media: GeminiMediaContext = { apiKey: options.apiKey, faults: new FaultLatch(), requests: [] };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = ROUTE.exec(url.pathname);
    const rawBody = await readBody(req);
    if (await handleGeminiMedia(req, res, url, rawBody, media)) return;
    if (!route || req.method !== 'POST') return sendGoogleError(res, googleError(404, `Method not found: ${req.method} ${url.pathname}`));
    const key = keyOf(req, url);
    const denied = authorize(key, options.apiKey);
    if (denied) return sendGoogleError(res, denied);
    const { model, spec } = splitModelFaults(decodeURIComponent(route[1] ?? ''));
    await handleGenerateContent(
      res,
      {
        req,
        path: url.pathname,
        model,
        modelFaults: spec,
        credential: key,
        stream: route[2] === 'streamGenerateContent',
        sse: url.searchParams.get('alt') === 'sse',
        rawBody,
        dialect: 'gemini',
        notFoundMessage: `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      },
      state,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendGoogleError(res, googleError(500, 'An internal error has occurred.'));
      else res.destroy();
    });
  });
  const host = await hostSimulator(server, 'gemini', options);

  return {
    url: `${host.origin}/v1beta`,
    apiKey: options.apiKey ?? 'sim-gemini-key',
    requests: state.requests,
    mediaRequests: media.requests,
    accept: host.accept,
    close: host.close,
  };
};
