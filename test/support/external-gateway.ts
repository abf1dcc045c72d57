/**
 * What the external-route tests share: the shared local runtime (external routes take a Compose Key only),
 * clients pointed at `/external/v1` as an OpenAI-compatible tool would be configured, and what the catalog
 * says about a model, read from the native catalog route.
 */
import OpenAI from 'openai';
import { sharedE2eRuntime, type E2eRuntime } from './e2e.ts';

export interface ExternalGateway extends E2eRuntime {
  /** `${url}/external/v1`: the base URL an OpenAI-compatible client is given. */
  readonly baseURL: string;
  /** The official SDK against the external routes; no SDK retries, so errors surface as the gateway sent them. */
  external(apiKey?: string): OpenAI;
  /** A raw request with no credential at all. */
  anonymous(path: string, init?: RequestInit): Promise<Response>;
  /** The native catalog card of a model: the provider and wire model the resolver picks for it. */
  card(modelId: string): Promise<{ provider: string; upstreamModelId: string }>;
}

/**
 * The shared runtime (a file in `SHARED_RUNTIME`), with a Compose Key of the file's own; its `env` holds the provider
 * simulators' keys, which no answer may carry.
 */
export const sharedExternalGateway = async (): Promise<ExternalGateway> => externalGateway(await sharedE2eRuntime());

const externalGateway = (gateway: E2eRuntime): ExternalGateway => {
  const baseURL = `${gateway.url}/external/v1`;
  return {
    ...gateway,
    baseURL,
    external: (apiKey = gateway.apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0 }),
    anonymous: (path, init = {}) => fetch(`${gateway.url}${path}`, init),
    card: async (modelId) => {
      const response = await fetch(`${gateway.url}/v1/models/${modelId}`);
      if (response.status !== 200) throw new Error(`GET /v1/models/${modelId} answered ${response.status}`);
      return (await response.json()) as { provider: string; upstreamModelId: string };
    },
  };
};

/** What may never reach an external client: a Compose receipt, in any place the native routes put one. */
export const RECEIPT_MARKERS = ['compose_receipt', 'compose.receipt', '"receipt"'] as const;
