/**
 * A loopback Vertex AI for tests and for `npm start` without a key: the Gemini simulator's model behind
 * Vertex's paths (`/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:…`), bearer
 * tokens required, and Google's OAuth token endpoint at `/token`. See README.md.
 */
import { createPublicKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { hostSimulator, type HostOptions } from '../host.ts';
import { errorInfo, googleError } from '../gemini/google-error.ts';
import { splitModelFaults } from '../openai-compatible/faults.ts';
import { handleGenerateContent, SimulatorState, type RecordedRequest } from '../gemini/handle-generate-content.ts';
import { readBody, sendGoogleError } from '../gemini/http-io.ts';
import { createTestServiceAccount } from './service-account.ts';
import { handleTokenRequest } from './token-endpoint.ts';
import { handleVertexMedia } from '../gemini-media/handle-vertex.ts';
import { FaultLatch } from '../media-fixtures/faults.ts';

export interface VertexSimulatorOptions extends HostOptions {
  /** The service account whose assertions the token endpoint accepts; a fresh one is made when absent. */
  readonly serviceAccount?: { readonly clientEmail: string; readonly publicKeyPem: string; readonly projectId: string };
  /** `expires_in` of issued tokens (Google: 3599). */
  readonly tokenLifetimeSeconds?: number;
}

export interface VertexSimulator {
  /** The API origin, for `ProviderTransport.baseURL`. */
  readonly url: string;
  readonly tokenUrl: string;
  readonly projectId: string;
  /** A key file for the simulator's own service account (token_uri pointing here); absent when one was given. */
  readonly serviceAccountJson: string | undefined;
  readonly requests: readonly RecordedRequest[];
  /** Every media request (embeddings, Imagen) received: path and body. See ../gemini-media/README.md. */
  readonly mediaRequests: readonly { readonly path: string; readonly body: unknown }[];
  /** How many tokens the endpoint has issued. */
  readonly tokensIssued: () => number;
  /** Invalidate every issued token, as a revoked or rotated key would. */
  revokeTokens(): void;
  /** Serves a connection opened in memory (no port needed): see ../host.ts. */
  accept(connection: Duplex): void;
  close(): Promise<void>;
}

const ROUTE = /^\/v1(?:beta1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;
const SERVICE = 'aiplatform.googleapis.com';

export const startVertexSimulator = async (options: VertexSimulatorOptions = {}): Promise<VertexSimulator> => {
  const state = new SimulatorState();
  const tokens = new Map<string, number>();
  let issued = 0;
  let origin = '';
  let own: ReturnType<typeof createTestServiceAccount> | undefined;
  const media = { faults: new FaultLatch(), requests: [] as { path: string; body: unknown }[] };
  const account = (): { clientEmail: string; publicKeyPem: string; projectId: string } => options.serviceAccount ?? own!;

  const unauthenticated = (res: ServerResponse, reason: string): void =>
    sendGoogleError(
      res,
      googleError(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.', [errorInfo(reason, SERVICE)]),
    );

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rawBody = await readBody(req);
    if (req.method === 'POST' && url.pathname === '/token') {
      return handleTokenRequest(res, rawBody, {
        clientEmail: account().clientEmail,
        publicKey: createPublicKey(account().publicKeyPem),
        tokenUrl: `${origin}/token`,
        lifetimeSeconds: options.tokenLifetimeSeconds ?? 3599,
        issue: (token, expiresAt) => {
          issued += 1;
          tokens.set(token, expiresAt);
        },
      });
    }
    if (await handleVertexMedia(req, res, url, rawBody, { ...media, tokens, projectId: account().projectId })) return;
    const route = ROUTE.exec(url.pathname);
    if (!route || req.method !== 'POST') return sendGoogleError(res, googleError(404, `The requested URL ${url.pathname} was not found on this server.`));
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer) return unauthenticated(res, 'CREDENTIALS_MISSING');
    const expiresAt = tokens.get(bearer);
    if (expiresAt === undefined) return unauthenticated(res, 'ACCESS_TOKEN_TYPE_UNSUPPORTED');
    if (expiresAt <= Date.now()) return unauthenticated(res, 'ACCESS_TOKEN_EXPIRED');
    const [, project = '', location = '', encodedModel = '', method] = route;
    const { model, spec } = splitModelFaults(decodeURIComponent(encodedModel));
    const resource = `projects/${project}/locations/${location}/publishers/google/models/${model}`;
    if (decodeURIComponent(project) !== account().projectId) {
      return sendGoogleError(res, googleError(403, `Permission 'aiplatform.endpoints.predict' denied on resource '//${SERVICE}/${resource}' (or it may not exist).`, [errorInfo('IAM_PERMISSION_DENIED', SERVICE)]));
    }
    await handleGenerateContent(
      res,
      {
        req,
        path: url.pathname,
        model,
        modelFaults: spec,
        credential: bearer,
        stream: method === 'streamGenerateContent',
        sse: url.searchParams.get('alt') === 'sse',
        rawBody,
        dialect: 'vertex',
        notFoundMessage: `Publisher Model \`${resource}\` was not found or your project does not have access to it. Please ensure you are using a valid model version.`,
      },
      state,
    );
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendGoogleError(res, googleError(500, 'Internal error encountered.'));
      else res.destroy();
    });
  });
  const host = await hostSimulator(server, 'vertex', options);
  origin = host.origin;
  if (!options.serviceAccount) own = createTestServiceAccount({ tokenUri: `${origin}/token` });

  return {
    url: origin,
    tokenUrl: `${origin}/token`,
    projectId: account().projectId,
    serviceAccountJson: own?.json,
    requests: state.requests,
    mediaRequests: media.requests,
    tokensIssued: () => issued,
    revokeTokens: () => tokens.clear(),
    accept: host.accept,
    close: host.close,
  };
};
