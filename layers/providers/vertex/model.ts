/**
 * Gemini models through Vertex AI. The request and response mapping is Gemini's (one generateContent
 * protocol); Vertex adds its endpoint and OAuth2 bearer tokens minted from a service-account key.
 *
 * Transport: `apiKey()` returns the service-account JSON; `options.project` (else the key's project_id),
 * `options.location` (default `global`), `options.tokenUrl` (else the key's token_uri). `baseURL` overrides
 * the host derived from the location (empty string: derive it).
 */
import { UpstreamError } from '../../core/errors.ts';
import { createGenerateContentAdapter } from '../gemini/generate-content-adapter.ts';
import { UPSTREAM_CODES } from '../http/upstream-error.ts';
import type { ProviderTransport, TextModelAdapter } from '../types.ts';
import { createAccessTokenSource, GOOGLE_TOKEN_URL } from './access-token.ts';
import { DEFAULT_VERTEX_LOCATION, vertexBaseURL, vertexModelUrl } from './endpoint.ts';
import { parseServiceAccount, type ServiceAccountKey } from './service-account.ts';

export interface VertexAdapterDependencies {
  /** Clock for token expiry (milliseconds since the epoch). */
  readonly now?: () => number;
}

export const createVertexAdapter = (transport: ProviderTransport, dependencies: VertexAdapterDependencies = {}): TextModelAdapter => {
  const tokens = createAccessTokenSource({
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
    ...(dependencies.now ? { now: dependencies.now } : {}),
    ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
  });
  const serviceAccount = async (): Promise<ServiceAccountKey> => parseServiceAccount(String(await transport.apiKey()));
  const location = transport.options?.['location'] || DEFAULT_VERTEX_LOCATION;

  return createGenerateContentAdapter({
    provider: 'vertex',
    url: async (model, method) => {
      const project = transport.options?.['project'] || (await serviceAccount()).project_id;
      if (!project) throw new UpstreamError(502, UPSTREAM_CODES.notConfigured, 'The Vertex provider has no project configured.');
      return vertexModelUrl(transport.baseURL || vertexBaseURL(location), project, location, model, method);
    },
    headers: async () => {
      const key = await serviceAccount();
      const tokenUrl = transport.options?.['tokenUrl'] || key.token_uri || GOOGLE_TOKEN_URL;
      return { authorization: `Bearer ${await tokens.token(key, tokenUrl)}` };
    },
    credentialsRejected: () => tokens.invalidate(),
    ...(transport.fetch ? { fetch: transport.fetch } : {}),
    ...(transport.timeoutMs !== undefined ? { timeoutMs: transport.timeoutMs } : {}),
    ...(transport.maxRetries !== undefined ? { maxRetries: transport.maxRetries } : {}),
  });
};
