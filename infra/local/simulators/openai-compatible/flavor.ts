/**
 * What differs between the providers the simulator impersonates: where the endpoint lives, how the key is
 * presented, what an error body looks like, and which OpenAI-only request rules apply. Plus the helpers the
 * flavors share (Bearer auth with OpenAI's wording, model-not-found).
 */
import type { IncomingMessage } from 'node:http';
import type { SimError } from './sim-error.ts';

export const FLAVORS = ['openai', 'azure', 'fireworks', 'aiml', 'huggingface', 'alibaba', 'cloudflare', 'asicloud'] as const;
export type FlavorName = (typeof FLAVORS)[number];

export interface Route {
  /** The model named by the path (Azure deployment), when the path names one. */
  readonly pathModel?: string;
}

export interface Flavor {
  readonly name: FlavorName;
  /** Appended to the server origin to make the provider's base URL (what a transport's baseURL is). */
  readonly basePath: string;
  /** Undefined: not this flavor's chat completions endpoint (404). */
  match(url: URL): Route | SimError | undefined;
  /** Undefined when the key is accepted. */
  authorize(req: IncomingMessage, expectedKey: string | undefined): SimError | undefined;
  renderError(error: SimError, requestId: string): Record<string, unknown>;
  contentFilterError(): SimError;
  /** OpenAI and Azure refuse unknown parameters and enforce reasoning-model and strict-schema rules. */
  readonly strict: boolean;
  /** A model id this provider would not know. */
  unknownModel(model: string): SimError | undefined;
}

export const bearer = (req: IncomingMessage): string | undefined => {
  const header = req.headers['authorization'];
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
};

/** Masks a key the way OpenAI echoes it back ("sk-abc***wxyz"), a real leak vector the gateway must redact. */
export const masked = (key: string): string => `${key.slice(0, 6)}***${key.slice(-4)}`;

export const openAIAuth = (req: IncomingMessage, expected: string | undefined): SimError | undefined => {
  const key = bearer(req);
  if (key === undefined || key === '') {
    return {
      status: 401,
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.",
      type: 'invalid_request_error',
      code: null,
    };
  }
  if (expected !== undefined && key !== expected) {
    return {
      status: 401,
      message: `Incorrect API key provided: ${masked(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    };
  }
  return undefined;
};

export const exactPath = (path: string) => (url: URL): Route | undefined => (url.pathname === path ? {} : undefined);

export const notFoundModel = (model: string): SimError => ({
  status: 404,
  message: `The model \`${model}\` does not exist or you do not have access to it.`,
  type: 'invalid_request_error',
  code: 'model_not_found',
});

export const unknownByName = (model: string): SimError | undefined => (/not-found|does-not-exist/.test(model) ? notFoundModel(model) : undefined);
