/**
 * What differs between the providers the simulator impersonates: where the endpoint lives, how the key is
 * presented, what an error body looks like, and which OpenAI-only request rules apply.
 */
import type { IncomingMessage } from 'node:http';
import { invalidRequest, openAIErrorBody, type SimError } from './sim-error.ts';

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

const bearer = (req: IncomingMessage): string | undefined => {
  const header = req.headers['authorization'];
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1]?.trim();
};

/** Masks a key the way OpenAI echoes it back ("sk-abc***wxyz"), a real leak vector the gateway must redact. */
const masked = (key: string): string => `${key.slice(0, 6)}***${key.slice(-4)}`;

const openAIAuth = (req: IncomingMessage, expected: string | undefined): SimError | undefined => {
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

const exactPath = (path: string) => (url: URL): Route | undefined => (url.pathname === path ? {} : undefined);

const notFoundModel = (model: string): SimError => ({
  status: 404,
  message: `The model \`${model}\` does not exist or you do not have access to it.`,
  type: 'invalid_request_error',
  code: 'model_not_found',
});

const unknownByName = (model: string): SimError | undefined => (/not-found|does-not-exist/.test(model) ? notFoundModel(model) : undefined);

const openai: Flavor = {
  name: 'openai',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: openAIAuth,
  renderError: openAIErrorBody,
  contentFilterError: () => ({
    status: 400,
    message: 'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
    type: 'invalid_request_error',
    code: 'content_policy_violation',
  }),
  strict: true,
  unknownModel: unknownByName,
};

const AZURE_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

const azure: Flavor = {
  name: 'azure',
  basePath: '',
  match: (url): Route | SimError | undefined => {
    const match = AZURE_PATH.exec(url.pathname);
    if (!match) return undefined;
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || apiVersion === '') return { status: 404, message: 'Resource not found', code: '404' };
    if (!/^\d{4}-\d{2}-\d{2}(?:-preview)?$/.test(apiVersion)) {
      return { status: 400, message: `Unsupported api-version ${apiVersion}.`, code: 'BadRequest' };
    }
    return { pathModel: decodeURIComponent(match[1] ?? '') };
  },
  authorize: (req, expected) => {
    const key = req.headers['api-key'];
    const ok = typeof key === 'string' && key !== '' && (expected === undefined || key === expected);
    return ok
      ? undefined
      : {
          status: 401,
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
          code: '401',
        };
  },
  renderError: (error) => ({
    error: { code: error.code ?? String(error.status), message: error.message, param: error.param ?? null, type: error.type ?? null, status: error.status },
  }),
  contentFilterError: () => ({
    status: 400,
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
    param: 'prompt',
    code: 'content_filter',
  }),
  strict: true,
  unknownModel: (deployment) =>
    /not-found|does-not-exist/.test(deployment)
      ? { status: 404, message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.', code: 'DeploymentNotFound' }
      : undefined,
};

const fireworks: Flavor = {
  name: 'fireworks',
  basePath: '/inference/v1',
  match: exactPath('/inference/v1/chat/completions'),
  authorize: (req, expected) => {
    const error = openAIAuth(req, expected);
    return error ? { ...error, status: 401, message: 'The API key you provided is invalid.', code: 'UNAUTHORIZED' } : undefined;
  },
  renderError: (error) => ({ error: { object: 'error', type: error.type ?? 'invalid_request_error', code: error.code ?? null, message: error.message } }),
  contentFilterError: () => invalidRequest('Request blocked by content moderation.', null, 'content_policy_violation'),
  strict: false,
  unknownModel: (model) =>
    !/^accounts\/[^/]+\/(?:models|deployedModels)\/[^/]+$/.test(model) || /not-found/.test(model)
      ? { status: 404, message: 'Model not found, inaccessible, and/or not deployed', type: 'invalid_request_error', code: 'NOT_FOUND' }
      : undefined,
};

const aiml: Flavor = {
  name: 'aiml',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: openAIAuth,
  renderError: (error, requestId) => ({
    message: error.message,
    path: '/v1/chat/completions',
    requestId,
    statusCode: error.status,
    timestamp: new Date(0).toISOString(),
  }),
  contentFilterError: () => invalidRequest('Your prompt was flagged by the content moderation system as inappropriate content.'),
  strict: false,
  unknownModel: unknownByName,
};

const huggingface: Flavor = {
  name: 'huggingface',
  basePath: '/v1',
  match: exactPath('/v1/chat/completions'),
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Invalid credentials in Authorization header' } : undefined),
  renderError: (error) => ({ error: error.message }),
  contentFilterError: () => invalidRequest('Input flagged by the content filter of the inference provider.'),
  strict: false,
  unknownModel: (model) => (/not-found/.test(model) ? { status: 404, message: `The requested model '${model}' does not exist.` } : undefined),
};

const alibaba: Flavor = {
  name: 'alibaba',
  basePath: '/compatible-mode/v1',
  match: exactPath('/compatible-mode/v1/chat/completions'),
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Incorrect API key provided. ', type: 'invalid_request_error', code: 'invalid_api_key' } : undefined),
  renderError: (error, requestId) => ({ ...openAIErrorBody(error), id: `chatcmpl-${requestId}`, request_id: requestId }),
  contentFilterError: () => ({ status: 400, message: 'Input data may contain inappropriate content.', type: 'data_inspection_failed', code: 'data_inspection_failed' }),
  strict: false,
  unknownModel: (model) =>
    /not-found/.test(model) ? { status: 404, message: 'The model `' + model + '` does not exist or you do not have access to it.', type: 'invalid_request_error', code: 'model_not_found' } : undefined,
};

const CLOUDFLARE_PATH = /^\/client\/v4\/accounts\/([^/]+)\/ai\/v1\/chat\/completions$/;

/** Cloudflare's platform errors use the v4 envelope; the rest of the flavor is OpenAI-shaped. */
const cloudflareEnvelope = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

const cloudflare: Flavor = {
  name: 'cloudflare',
  basePath: '/client/v4',
  match: (url): Route | SimError | undefined => {
    const match = CLOUDFLARE_PATH.exec(url.pathname);
    if (!match) return undefined;
    const account = match[1] ?? '';
    if (!/^[0-9a-f]{32}$/.test(account)) {
      return { status: 400, message: `Could not route to ${url.pathname}, perhaps your object identifier is invalid?`, code: '7003' };
    }
    return {};
  },
  authorize: (req, expected) => (openAIAuth(req, expected) ? { status: 401, message: 'Authentication error', code: '10000' } : undefined),
  renderError: (error) => cloudflareEnvelope(Number(error.code) || 5006, error.message),
  contentFilterError: () => ({ status: 400, message: 'AiError: Input was flagged by content moderation.', code: '3030' }),
  strict: false,
  unknownModel: (model) => (!/^@(?:cf|hf)\//.test(model) || /not-found/.test(model) ? { status: 400, message: `No such model ${model} or task`, code: '5007' } : undefined),
};

const asicloud: Flavor = { ...openai, name: 'asicloud', strict: false, contentFilterError: () => invalidRequest('Content blocked by moderation.', null, 'content_filter') };

export const FLAVOR_TABLE: Readonly<Record<FlavorName, Flavor>> = { openai, azure, fireworks, aiml, huggingface, alibaba, cloudflare, asicloud };
